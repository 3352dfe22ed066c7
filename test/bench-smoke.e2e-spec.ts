import { spawn } from 'child_process';
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import type { BenchResults } from '../bench/harness';

const ROOT = join(__dirname, '..');
const SERVERS = ['raw-ws', 'socket.io', 'realtime'];

/** Runs `npm run bench`'s entry as npm does (a real server process per kind, loopback clients) and waits for it to end. */
function runBench(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', './tools/ts-register.js', 'bench/run.ts', ...args], { cwd: ROOT });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });
}

/** Benchmarks are not tests: this only shows the harness works end to end, at a size of a few dozen clients. */
describe('the benchmark harness (npm run bench)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'realtime-bench-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs a tiny fan-out against raw ws, Socket.IO and the module, and writes a result file with figures, ratios and targets', async () => {
    const out = join(dir, 'results.json');
    const { code, output } = await runBench(['--tiny', '--only=fan-out', `--servers=${SERVERS.join(',')}`, `--out=${out}`]);

    expect({ code, output }).toMatchObject({ code: 0 });
    const results = JSON.parse(readFileSync(out, 'utf8')) as BenchResults;
    expect(results.servers.map((server) => server.name)).toEqual(SERVERS);
    const fanOut = results.workloads.find((workload) => workload.name === 'fan-out')!;
    expect(fanOut.errors).toEqual({});
    for (const figure of fanOut.figures) {
      for (const server of SERVERS) expect(figure.values[server]).toBeGreaterThan(0);
      expect(Number.isFinite(figure.ratios.rawWs) && Number.isFinite(figure.ratios.socketIo)).toBe(true);
    }
    const judged = results.targets.filter((target) => target.target.startsWith('fan-out'));
    expect(judged).toHaveLength(3);
    for (const target of judged) expect(typeof target.met).toBe('boolean');
    expect(output).toContain('| fan-out: deliveries/s');
  }, 60_000);

  it('runs a tiny fan-out to Pusher-protocol subscribers beside the native ones, and compares the two', async () => {
    const out = join(dir, 'pusher.json');
    const { code, output } = await runBench(['--tiny', '--only=fan-out', '--servers=realtime,realtime-pusher', `--out=${out}`]);

    expect({ code, output }).toMatchObject({ code: 0 });
    const results = JSON.parse(readFileSync(out, 'utf8')) as BenchResults;
    const fanOut = results.workloads.find((workload) => workload.name === 'fan-out')!;
    expect(fanOut.errors).toEqual({});
    for (const figure of fanOut.figures) expect(figure.values['realtime-pusher']).toBeGreaterThan(0);
    const compared = results.targets.find((target) => target.target.startsWith('Pusher protocol'));
    expect(typeof compared?.met).toBe('boolean');
    expect(compared?.figure).toMatch(/^[\d]+\/s vs [\d]+\/s: /);
  }, 60_000);

  it('refuses an unknown option with the usage, and writes nothing', async () => {
    const out = join(dir, 'never.json');
    const { code, output } = await runBench(['--tiny', '--fastest', `--out=${out}`]);

    expect(code).toBe(1);
    expect(output).toContain('Unknown option --fastest');
    expect(output).toContain('--only=a,b');
    expect(() => readFileSync(out)).toThrow();
  });
});
