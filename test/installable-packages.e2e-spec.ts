import { ChildProcess, execFile, spawn } from 'child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { promisify } from 'util';

const ROOT = join(__dirname, '..');
const PACKED = join(ROOT, 'dist/packages');
const USER_APP = join(__dirname, 'packages/user-app/src');
const README_APP = join(__dirname, 'packages/readme-app');
const run = promisify(execFile);
const MINUTES = 60_000;

/** Runs a command to its end; a failure carries what the command printed. */
async function command(file: string, args: string[], cwd: string, timeout: number): Promise<string> {
  try {
    const { stdout } = await run(file, args, { cwd, timeout, maxBuffer: 16 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`${file} ${args.join(' ')} failed in ${cwd}:\n${stdout}\n${stderr}`);
  }
}

const node = (cwd: string, args: string[], timeout = 5 * MINUTES) => command(process.execPath, args, cwd, timeout);
const npm = (cwd: string, args: string[]) => command('npm', args, cwd, 8 * MINUTES);

function tarball(name: string): string {
  const file = readdirSync(PACKED).find((entry) => entry.startsWith(`nest-realtime-${name}-`) && entry.endsWith('.tgz'));
  if (!file) throw new Error(`npm run build:packages wrote no tarball for @nest-realtime/${name}`);
  return join(PACKED, file);
}

/** The README's TypeScript blocks that open with a file name (`// main.ts`), by that name. */
function readmeFiles(): Map<string, string> {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const files = new Map<string, string>();
  for (const [, name, body] of readme.matchAll(/```ts\n\/\/ ([\w.-]+\.ts)\n([\s\S]*?)```/g)) files.set(name, body);
  return files;
}

/** Starts the compiled app on a free port and resolves with it once the app says it listens. */
function startApp(dir: string): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['dist/main.js'], { cwd: dir, env: { ...process.env, PORT: '0' } });
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk;
      const ready = /READY (\d+)/.exec(output);
      if (ready) resolve({ child, port: Number(ready[1]) });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`The app exited (${code}) before listening:\n${output}`)));
  });
}

/**
 * A user's view of the packages: the four tarballs of `npm run build:packages`, installed into a new
 * Nest 11 app made by `nest new` (Nest's default tsconfig: nodenext, isolatedModules,
 * emitDecoratorMetadata), compiled by plain tsc, started, and visited by the client package.
 */
describe('the packages, installed into a new Nest 11 app', () => {
  const workspace = mkdtempSync(join(tmpdir(), 'nest-realtime-user-'));
  const app = join(workspace, 'app');
  let server: { child: ChildProcess; port: number } | undefined;

  beforeAll(async () => {
    await node(ROOT, ['tools/build-packages.js']);
    await node(workspace, [require.resolve('@nestjs/cli/bin/nest.js'), 'new', 'app', '--skip-install', '--skip-git', '--package-manager', 'npm']);

    const manifest = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8'));
    const nest = manifest.dependencies['@nestjs/common'];
    manifest.dependencies = {
      ...manifest.dependencies,
      '@nestjs/websockets': nest,
      '@nestjs/platform-ws': nest,
      ws: '^8.0.0',
      '@nest-realtime/protocol': `file:${tarball('protocol')}`,
      '@nest-realtime/core': `file:${tarball('core')}`,
      '@nest-realtime/client': `file:${tarball('client')}`,
    };
    // The generated lint and test tooling is not what this test is about; the compiler and Node's types are.
    manifest.devDependencies = { typescript: manifest.devDependencies.typescript, '@types/node': manifest.devDependencies['@types/node'] };
    writeFileSync(join(app, 'package.json'), JSON.stringify(manifest, null, 2));
    rmSync(join(app, 'src'), { recursive: true });
    rmSync(join(app, 'test'), { recursive: true });
    cpSync(USER_APP, join(app, 'src'), { recursive: true });
    // The README's quick start, beside stand-ins for the files it marks as the user's, compiled with the rest.
    cpSync(README_APP, join(app, 'src/readme'), { recursive: true });
    cpSync(join(USER_APP, 'members.guard.ts'), join(app, 'src/readme/members.guard.ts'));
    for (const [name, body] of readmeFiles()) writeFileSync(join(app, 'src/readme', name), body);

    await npm(app, ['install', '--no-audit', '--no-fund', '--prefer-offline']);
    await node(app, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json']);
    server = await startApp(app);
  }, 15 * MINUTES);

  afterAll(() => {
    server?.child.kill();
    rmSync(workspace, { recursive: true, force: true });
  });

  it("compiles the README's quick start as it stands", () => {
    expect([...readmeFiles().keys()].sort()).toEqual(['app.module.ts', 'chat.gateway.ts', 'main.ts']);
    for (const name of ['app.module.js', 'chat.gateway.js', 'main.js']) expect(existsSync(join(app, 'dist/readme', name))).toBe(true);
  });

  it('compiles under the default tsconfig and starts, without ioredis installed', () => {
    const tsconfig = readFileSync(join(app, 'tsconfig.json'), 'utf8');
    expect(tsconfig).toMatch(/"module": "nodenext"/);
    expect(tsconfig).toMatch(/"isolatedModules": true/);
    expect(tsconfig).toMatch(/"emitDecoratorMetadata": true/);
    expect(existsSync(join(app, 'node_modules/ioredis'))).toBe(false);
    expect(existsSync(join(app, 'node_modules/@nest-realtime/redis'))).toBe(false);
    expect(server?.port).toBeGreaterThan(0);
  });

  it('lets a client of the client package join a presence channel and call a guarded handler that uses @CurrentConnection()', async () => {
    const output = await node(app, ['dist/client.js', `ws://127.0.0.1:${server!.port}/realtime`, 'alice', 'guest-bob'], MINUTES);
    const [alice, guest] = output.trim().split('\n').map((line) => JSON.parse(line));

    expect(alice.presence).toContain('alice');
    expect(alice.whoami).toEqual({ clientId: 'alice', connectionId: expect.any(String), member: true });
    expect(guest.presence).toContain('guest-bob');
    expect(guest.whoami).toEqual({ error: 'forbidden' });
  });
});
