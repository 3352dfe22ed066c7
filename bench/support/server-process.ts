import { ChildProcess, fork } from 'child_process';
import { join } from 'path';
import type { HarnessMessage, HostMessage } from '../servers/server-host';

export const TS_REGISTER = join(__dirname, '../../tools/ts-register.js');
const START_TIMEOUT_MS = 30_000;
const ANSWER_TIMEOUT_MS = 30_000;

export interface Usage {
  /** CPU time of the process so far, microseconds (user + system). */
  cpuMicros: number;
  rss: number;
  heapUsed: number;
  /** What V8 holds for the heap, used or not. */
  heapTotal: number;
  /** Memory outside V8's heap that JavaScript objects hold (Buffers, typed arrays). */
  external: number;
  /** The longest the event loop was held since the usage asked before (ms). */
  longestStallMs: number;
}

/**
 * One server running in its own process (`node --expose-gc`), started from a module under
 * bench/servers/ that calls `hostBenchServer`. It reports its port and answers usage questions.
 */
export class ServerProcess {
  private nextId = 0;
  private readonly waiting = new Map<number, (usage: Usage) => void>();
  private exited = false;

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {
    child.on('message', (message: HostMessage) => {
      if (message.type !== 'usage') return;
      const { cpu, memory, longestStallMs } = message;
      this.waiting.get(message.id)?.({ cpuMicros: cpu.user + cpu.system, rss: memory.rss, heapUsed: memory.heapUsed, heapTotal: memory.heapTotal, external: memory.external, longestStallMs });
      this.waiting.delete(message.id);
    });
    child.once('exit', () => (this.exited = true));
  }

  static start(entry: string, env: Record<string, string> = {}): Promise<ServerProcess> {
    const child = fork(entry, [], {
      execArgv: ['--expose-gc', ...(process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? []), '-r', TS_REGISTER],
      env: { ...process.env, ...env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return new Promise((resolve, reject) => {
      const fail = (why: string) => {
        clearTimeout(timer);
        child.kill('SIGKILL');
        reject(new Error(`The bench server ${entry} did not start: ${why}`));
      };
      const timer = setTimeout(() => fail(`no answer within ${START_TIMEOUT_MS / 1000} s`), START_TIMEOUT_MS);
      child.once('exit', (code, signal) => fail(`it exited (${signal ?? code})`));
      child.once('message', (message: HostMessage) => {
        if (message.type === 'failed') return fail(message.message);
        if (message.type !== 'ready') return fail(`it said ${JSON.stringify(message)}`);
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve(new ServerProcess(child, message.port));
      });
    });
  }

  /** CPU time and memory of the server process; with `gc`, after forced collections. */
  usage(gc = false): Promise<Usage> {
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('The bench server did not report its usage.')), ANSWER_TIMEOUT_MS);
      this.waiting.set(id, (usage) => {
        clearTimeout(timer);
        resolve(usage);
      });
      this.order({ type: 'usage', id, gc });
    });
  }

  /** Stops the process and waits for it to be gone. */
  async stop(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    this.order({ type: 'stop' });
    await gone;
    clearTimeout(timer);
  }

  private order(message: HarnessMessage): void {
    if (this.exited || !this.child.connected) throw new Error('The bench server has exited.');
    this.child.send(message);
  }
}
