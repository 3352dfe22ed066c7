import { ChildProcess, fork } from 'child_process';
import { join } from 'path';
import { TS_REGISTER } from './server-process';

/** Connections one load generator holds: far below its own open-file limit, and the two cores share the handshakes. */
const PER_GENERATOR = 10_000;
const OPEN_TIMEOUT_MS = 10 * 60_000;

/** What a generator is told: open `urls.length` clients of a server kind, ids and source addresses from `first` on, in presence rooms. */
export type GeneratorOrder = { type: 'open'; kind: string; first: number; urls: string[]; roomSize: number } | { type: 'close' };
export type GeneratorReport = { type: 'opened' } | { type: 'failed'; message: string };

/**
 * Idle clients held by child processes of the bench (bench/support/load-generator.process.ts), each
 * under its own open-file limit: over loopback a connection costs a descriptor at both ends, so a server
 * holding as many sockets as its limit allows cannot be driven from the bench's process alone.
 */
export class LoadGenerators {
  private constructor(private readonly children: ChildProcess[]) {}

  /**
   * Opens `connections` clients of `kind`, client `index` at `urlFor(index)`, split over generators in
   * shares of whole rooms; resolves once every client has joined its room and the presence frames stopped.
   */
  static async open(kind: string, connections: number, roomSize: number, urlFor: (index: number) => string): Promise<LoadGenerators> {
    const count = Math.ceil(connections / PER_GENERATOR);
    const share = Math.ceil(connections / count / roomSize) * roomSize;
    const children: ChildProcess[] = [];
    const generators = new LoadGenerators(children);
    try {
      const opened: Array<Promise<void>> = [];
      for (let first = 0; first < connections; first += share) {
        const child = fork(join(__dirname, 'load-generator.process.ts'), [], { execArgv: ['-r', TS_REGISTER], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
        children.push(child);
        const urls = Array.from({ length: Math.min(share, connections - first) }, (_, index) => urlFor(first + index));
        opened.push(LoadGenerators.answer(child));
        child.send({ type: 'open', kind, first, urls, roomSize } satisfies GeneratorOrder);
      }
      await Promise.all(opened);
    } catch (error) {
      generators.close();
      throw error;
    }
    return generators;
  }

  private static answer(child: ChildProcess): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`A load generator did not open its clients within ${OPEN_TIMEOUT_MS / 1000} s.`)), OPEN_TIMEOUT_MS);
      child.once('exit', (code, signal) => reject(new Error(`A load generator exited (${signal ?? code}) before its clients were in.`)));
      child.once('message', (report: GeneratorReport) => {
        clearTimeout(timer);
        if (report.type === 'opened') resolve();
        else reject(new Error(`A load generator failed: ${report.message}`));
      });
    });
  }

  /** Lets the clients go: each generator exits, and its sockets close with it. */
  close(): void {
    for (const child of this.children) {
      child.removeAllListeners('exit');
      if (child.connected) child.send({ type: 'close' } satisfies GeneratorOrder);
      else child.kill('SIGKILL');
    }
  }
}
