import { mkdirSync, writeFileSync } from 'fs';
import { dirname, join, relative } from 'path';
import { runBench, WORKLOADS } from './harness';
import { renderReport } from './support/report';
import { DEFAULT_SETTINGS, FULL_SETTINGS, mostConnections, mostConnectionsFromOneAddress, TINY_SETTINGS } from './support/settings';
import { ensureLimits } from './support/system-limits';
import { SERVER_KINDS } from './servers/server-kinds';

const USAGE = `npm run bench [-- options]
  --full               5,000 subscribers, a 3,000-client presence storm, longer runs
  --tiny               a few dozen clients (what the smoke test runs)
  --only=a,b           workloads: ${WORKLOADS.map((workload) => workload.name).join(', ')}
  --servers=a,b        servers: ${SERVER_KINDS.map((kind) => kind.name).join(', ')}
  --repeat=n           run each workload n times on each server, the servers in turn; each figure the median
  --idle-connections=n idle-connections: connections asked for (default 100,000; the run holds what one server process may)
  --out=file           where the JSON goes (default bench/results/latest.json)`;

function listOption(args: string[], name: string, known: string[]): string[] {
  const raw = args.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
  if (raw === undefined) return [];
  const list = raw.split(',').filter(Boolean);
  const unknown = list.filter((entry) => !known.includes(entry));
  if (unknown.length) throw new Error(`--${name}: unknown ${unknown.join(', ')}; choose from ${known.join(', ')}.`);
  return list;
}

function countOption(args: string[], name: string, fallback: number, least: number): number {
  const raw = args.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
  const count = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(count) || count < least) throw new Error(`--${name}: a whole number, ${least} or more; got ${raw}.\n${USAGE}`);
  return count;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes('--help')) return void console.log(USAGE);
  const known = ['--full', '--tiny', '--only=', '--servers=', '--repeat=', '--idle-connections=', '--out='];
  const strange = args.filter((arg) => !known.some((option) => (option.endsWith('=') ? arg.startsWith(option) : arg === option)));
  if (strange.length) throw new Error(`Unknown option ${strange.join(' ')}.\n${USAGE}`);
  const sized = args.includes('--tiny') ? TINY_SETTINGS : args.includes('--full') ? FULL_SETTINGS : DEFAULT_SETTINGS;
  const settings = { ...sized, idle: { ...sized.idle, connections: countOption(args, 'idle-connections', sized.idle.connections, sized.idle.roomSize) } };
  const only = listOption(args, 'only', WORKLOADS.map((workload) => workload.name));
  const servers = listOption(args, 'servers', SERVER_KINDS.map((kind) => kind.name));
  const out = args.find((arg) => arg.startsWith('--out='))?.slice(6) ?? join(__dirname, 'results/latest.json');
  const repeat = countOption(args, 'repeat', 1, 1);
  if (!ensureLimits(mostConnections(settings), mostConnectionsFromOneAddress(settings))) return;

  const results = await runBench({ settings, only, servers, repeat, log: (line) => console.log(line), command: `npm run bench${args.length ? ` -- ${args.join(' ')}` : ''}` });
  console.log(`\n${renderReport(results)}`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nWritten to ${relative(process.cwd(), out)}`);
  if (results.workloads.some((workload) => Object.keys(workload.errors).length > 0)) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
