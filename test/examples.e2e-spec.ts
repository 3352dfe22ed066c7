// The runnable examples of apps/ (docs/testing.md), each run the way its header comment says, so that they never rot.
import { ChildProcess, spawn } from 'child_process';
import { join } from 'path';
import { createRealtimeTestingApp, RealtimeTestClient } from '@nest-realtime/core/testing';
import { ChatNodeModule } from '../apps/example-two-nodes/src/chat-node.module';
import { DemoServer } from './support/demo-server';
import { RedisServer } from './support/redis-server';

const ROOT = join(__dirname, '..');
/** A process's first start transpiles the libraries it loads (cached afterwards): slow on a busy machine. */
const STARTUP_MS = 30_000;
const PROCESS_TEST_MS = 50_000;

/** An example in a process of its own, as `node -r ./tools/ts-register.js apps/<name>/src/main.ts` runs it. */
class ExampleProcess {
  readonly lines: string[] = [];
  readonly exited: Promise<number | null>;
  private stderr = '';
  private listeners: Array<() => void> = [];

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    let partial = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop()!;
      this.lines.push(...parts);
      this.listeners.forEach((listener) => listener());
    });
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    // 'close', not 'exit': by then everything the process printed has been read.
    this.exited = new Promise((resolve) => child.once('close', (code) => resolve(code)));
  }

  static start(name: string, args: string[] = [], env: Record<string, string> = {}): ExampleProcess {
    const child = spawn(process.execPath, ['-r', './tools/ts-register.js', `apps/${name}/src/main.ts`, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new ExampleProcess(name, child);
  }

  /** The first output line that matches, printed already or within `timeout` ms. */
  line(pattern: RegExp, timeout = STARTUP_MS): Promise<RegExpExecArray> {
    return new Promise((resolve, reject) => {
      const check = () => {
        for (const line of this.lines) {
          const found = pattern.exec(line);
          if (found) return done(() => resolve(found));
        }
      };
      const fail = (why: string) => done(() => reject(new Error(`${this.name}: ${why} before printing ${pattern}.\nstdout:\n${this.lines.join('\n')}\nstderr:\n${this.stderr}`)));
      const timer = setTimeout(() => fail(`${timeout} ms passed`), timeout);
      const done = (settle: () => void) => {
        clearTimeout(timer);
        this.listeners = this.listeners.filter((listener) => listener !== check);
        settle();
      };
      void this.exited.then((code) => fail(`exited (${code})`));
      this.listeners.push(check);
      check();
    });
  }

  /** Sends a signal and resolves with the exit code. */
  stop(signal: NodeJS.Signals): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.exited;
  }

  /** What it wrote on stderr: nothing, for an example that ran well. */
  get errors(): string {
    return this.stderr;
  }
}

describe('examples in apps/', () => {
  const started: ExampleProcess[] = [];
  const clients: RealtimeTestClient[] = [];
  const run = (name: string, args: string[] = [], env: Record<string, string> = {}) => {
    const example = ExampleProcess.start(name, args, env);
    started.push(example);
    return example;
  };
  const connect = async (url: string) => {
    const client = await RealtimeTestClient.connect(url, { timeout: 10_000 });
    clients.push(client);
    return client;
  };

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.terminate()));
    await Promise.all(started.splice(0).map((example) => example.stop('SIGKILL')));
  });

  describe('apps/example-node-client, against the demo', () => {
    let demo: DemoServer;

    beforeAll(async () => {
      demo = await DemoServer.start();
    });

    afterAll(() => demo?.stop());

    it(
      'joins a room with a token, prints who comes and goes and what is said, and exits after --count messages',
      async () => {
        const token = await demo.tokenFor('alice');
        const example = run('example-node-client', ['--url', demo.ws, '--token', token, '--room', 'room:lobby', '--name', 'Alice', '--count', '2']);
        await example.line(/^members: alice$/);

        const bob = await connect(`${demo.ws}?token=${await demo.tokenFor('bob')}`);
        await bob.request('channel:join', { channel: 'room:lobby', meta: { name: 'Bob' } });
        await example.line(/^\+ bob joined$/);
        await bob.request('channel:publish', { channel: 'room:lobby', payload: 'hello' });
        await bob.request('channel:publish', { channel: 'room:lobby', payload: { text: 'still there?' } });

        expect(await example.exited).toBe(0);
        expect(example.lines).toEqual([
          'connected as alice',
          'joined room:lobby',
          'members: alice',
          '+ bob joined',
          'bob: hello',
          'bob: {"text":"still there?"}',
          'bye (2 messages)',
          '[closed]',
        ]);
        expect(example.errors).toBe('');
        await bob.waitFor('presence:diff', (diff) => 'alice' in diff.leaves);
      },
      PROCESS_TEST_MS,
    );

    it(
      "prints the server's messages and stops on SIGINT",
      async () => {
        const example = run('example-node-client', ['--url', demo.ws, '--room', 'room:hall'], { TOKEN: await demo.tokenFor('carol') });
        await example.line(/^joined room:hall$/);

        const response = await fetch(`${demo.http}/rooms/hall/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ payload: 'doors close at ten' }),
        });
        expect(response.ok).toBe(true);
        await example.line(/^\(server\): doors close at ten$/);

        expect(await example.stop('SIGINT')).toBe(0);
        expect(example.lines.slice(-2)).toEqual(['bye (interrupted)', '[closed]']);
      },
      PROCESS_TEST_MS,
    );

    it(
      'says why and exits with 1 when the server refuses its token',
      async () => {
        const example = run('example-node-client', ['--url', demo.ws, '--token', 'not-a-token']);

        expect(await example.exited).toBe(1);
        expect(example.errors).toMatch(/^error: The server refused the credentials \(HTTP 401\)/);
      },
      PROCESS_TEST_MS,
    );
  });

  describe('on Redis', () => {
    let redis: RedisServer;

    beforeAll(async () => {
      redis = await RedisServer.start();
    });

    afterAll(() => redis?.close());

    it(
      'apps/example-push-worker: publishes through Redis to the clients of a web node, with the web nodes’ channel rules',
      async () => {
        // A web node of apps/example-two-nodes, in this process.
        const web = await createRealtimeTestingApp({ imports: [ChatNodeModule.forRedis(redis.url)], timeout: 10_000 });
        try {
          const reader = await web.client({ user: 'reader' });
          await reader.request('channel:join', { channel: 'news:headlines' });

          const worker = run('example-push-worker', [], { REDIS_URL: redis.url, INTERVAL_MS: '100', COUNT: '3' });

          for (const n of [1, 2, 3]) {
            const message = await reader.waitFor('channel:message', undefined, STARTUP_MS);
            // The offsets say the worker applied the channel's history rule.
            expect(message).toEqual(expect.objectContaining({ channel: 'news:headlines', from: null, payload: { n, text: `Headline #${n}` }, offset: n }));
          }
          expect(await worker.exited).toBe(0);
          expect(worker.lines).toEqual([
            'worker started',
            'published "Headline #1" to news:headlines (members: 1)',
            'published "Headline #2" to news:headlines (members: 1)',
            'published "Headline #3" to news:headlines (members: 1)',
          ]);
          await expect(reader.request('channel:publish', { channel: 'news:headlines', payload: 'fake news' })).rejects.toMatchObject({ code: 'forbidden' });
        } finally {
          await web.close();
        }
      },
      PROCESS_TEST_MS,
    );

    it(
      "apps/example-two-nodes: clients of either node see each other's presence and messages",
      async () => {
        const nodes = run('example-two-nodes', [], { REDIS_URL: redis.url, PORTS: '0,0' });
        const [, first] = await nodes.line(/^node 1: (ws:\/\/127\.0\.0\.1:\d+\/realtime)$/);
        const [, second] = await nodes.line(/^node 2: (ws:\/\/127\.0\.0\.1:\d+\/realtime)$/);
        expect(second).not.toBe(first);

        const alice = await connect(`${first}?user=alice`);
        const bob = await connect(`${second}?user=bob`);
        await alice.request('channel:join', { channel: 'room:lobby', meta: { name: 'Alice' } });
        await bob.request('channel:join', { channel: 'room:lobby', meta: { name: 'Bob' } });

        expect(Object.keys((await bob.waitFor('presence:state')).presences).sort()).toEqual(['alice', 'bob']);
        // Alice's state was read before bob's join or after it: bob comes in it or in a later diff, never in both.
        if (!('bob' in (await alice.waitFor('presence:state')).presences)) await alice.waitFor('presence:diff', (diff) => 'bob' in diff.joins);
        await bob.request('channel:publish', { channel: 'room:lobby', payload: 'hi from node 2' });
        await alice.request('channel:publish', { channel: 'room:lobby', payload: 'hi from node 1' });
        expect((await alice.waitFor('channel:message', (message) => message.from === 'bob')).payload).toBe('hi from node 2');
        expect((await bob.waitFor('channel:message', (message) => message.from === 'alice')).payload).toBe('hi from node 1');

        await bob.close();
        expect((await alice.waitFor('presence:diff', (diff) => 'bob' in diff.leaves)).leaves.bob).toEqual(expect.objectContaining({ last: true }));
        expect(await nodes.stop('SIGTERM')).toBe(0);
        expect(nodes.errors).toBe('');
      },
      PROCESS_TEST_MS,
    );
  });
});
