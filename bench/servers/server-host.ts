import type { Server } from 'http';
import type { AddressInfo } from 'net';

/** What a bench server process reports to the harness, and the orders it takes over IPC. */
export type HostMessage =
  | { type: 'ready'; port: number }
  | { type: 'failed'; message: string }
  | { type: 'usage'; id: number; cpu: NodeJS.CpuUsage; memory: NodeJS.MemoryUsage };
export type HarnessMessage = { type: 'usage'; id: number; gc: boolean } | { type: 'stop' };

export interface HostedServer {
  http: Server;
}

/** Several forced collections: one can leave garbage that only the next one frees (weak maps, finalizers). */
function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('The bench server needs --expose-gc to measure memory.');
  for (let i = 0; i < 4; i++) gc();
}

/**
 * Runs in a server's process: starts it on 127.0.0.1 (port 0), reports the port to the harness, then
 * answers its questions (CPU time and memory, measured in this process) until it says stop.
 */
export function hostBenchServer(start: () => Promise<HostedServer>): void {
  const send = (message: HostMessage) => process.send?.(message);
  if (!process.send) {
    process.stderr.write('A bench server runs under the harness (npm run bench), which talks to it over IPC.\n');
    process.exit(1);
  }
  start().then(
    (server) => {
      send({ type: 'ready', port: (server.http.address() as AddressInfo).port });
      process.on('message', (message: HarnessMessage) => {
        if (message.type === 'usage') {
          if (message.gc) collectGarbage();
          send({ type: 'usage', id: message.id, cpu: process.cpuUsage(), memory: process.memoryUsage() });
        } else if (message.type === 'stop') {
          // Nothing is measured any more: no graceful close of thousands of connections.
          process.exit(0);
        }
      });
      process.on('disconnect', () => process.exit(0));
    },
    (error: unknown) => {
      send({ type: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
      process.exit(1);
    },
  );
}

/** Listens on loopback only, on a port the system picks. */
export function listenOnLoopback(http: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    http.once('error', reject);
    http.listen(0, '127.0.0.1', () => resolve());
  });
}

/** The bench clients identify themselves with `?id=`; the servers take it as the user's id. */
export function idFromUrl(url: string | undefined): string | undefined {
  const id = new URL(url ?? '/', 'http://127.0.0.1').searchParams.get('id');
  return id && /^[\w.:-]{1,64}$/.test(id) ? id : undefined;
}

/** Rooms whose name starts with this track presence, on every server; other rooms only broadcast. */
export const PRESENCE_ROOM_PREFIX = 'room:';

/** The one app of the realtime-pusher kind: its clients connect to `/app/{key}`. */
export const BENCH_PUSHER_APP = { id: 'bench', key: 'bench-key', secret: 'bench-secret' };
