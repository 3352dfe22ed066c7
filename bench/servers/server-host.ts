import type { Server } from 'http';
import type { AddressInfo } from 'net';
import { monitorEventLoopDelay } from 'perf_hooks';

/** What a bench server process reports to the harness, and the orders it takes over IPC. */
export type HostMessage =
  | { type: 'ready'; port: number }
  | { type: 'failed'; message: string }
  | { type: 'usage'; id: number; cpu: NodeJS.CpuUsage; memory: NodeJS.MemoryUsage; longestStallMs: number };
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

/** ms between the event loop's samples (Node records the time between them: the stall is what exceeds it). */
const STALL_RESOLUTION_MS = 20;

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
  // How late the event loop ran at worst between two questions: a burst of work holds it that long.
  const delay = monitorEventLoopDelay({ resolution: STALL_RESOLUTION_MS });
  start().then(
    (server) => {
      send({ type: 'ready', port: (server.http.address() as AddressInfo).port });
      delay.enable();
      process.on('message', (message: HarnessMessage) => {
        if (message.type === 'usage') {
          const longestStallMs = Math.max(0, delay.max / 1e6 - STALL_RESOLUTION_MS);
          if (message.gc) collectGarbage();
          delay.reset();
          send({ type: 'usage', id: message.id, cpu: process.cpuUsage(), memory: process.memoryUsage(), longestStallMs });
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

/**
 * Handshakes the kernel holds for a server until it accepts them. Node's default (511) overflows on this
 * machine when a hundred clients connect at once over loopback: the kernel drops the SYNs it cannot queue
 * (ListenOverflows in `nstat`) and the clients send them again a second later, which bounds every server
 * alike at a few hundred connects a second. The kernel caps it at net.core.somaxconn (4096 here).
 */
const LISTEN_BACKLOG = 4096;

/** Listens on loopback only, on a port the system picks. */
export function listenOnLoopback(http: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    http.once('error', reject);
    http.listen({ port: 0, host: '127.0.0.1', backlog: LISTEN_BACKLOG }, () => resolve());
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
