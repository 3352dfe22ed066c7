import type { BenchSettings } from '../workloads/workload';
import { socketsPerProcess } from './system-limits';

/** `npm run bench`: a few minutes on 2 cores. */
export const DEFAULT_SETTINGS: BenchSettings = {
  fanOut: { subscribers: 1000, burst: 50, payloadBytes: 100, compressedPayloadBytes: 4096, seconds: 3 },
  latency: { subscribers: 1000, perSecond: 50, seconds: 5, payloadBytes: 100 },
  memory: { connections: 10_000, roomSize: 10 },
  idle: { connections: 100_000, roomSize: 10, cpuSeconds: 25 },
  presenceStorm: { sizes: [500, 1000, 2000] },
  connectRate: { connections: 2000, concurrency: 50 },
};

/** `npm run bench -- --full`: larger rooms, longer runs. */
export const FULL_SETTINGS: BenchSettings = {
  fanOut: { subscribers: 5000, burst: 50, payloadBytes: 100, compressedPayloadBytes: 4096, seconds: 5 },
  latency: { subscribers: 1000, perSecond: 50, seconds: 15, payloadBytes: 100 },
  memory: { connections: 10_000, roomSize: 10 },
  idle: { connections: 100_000, roomSize: 10, cpuSeconds: 25 },
  presenceStorm: { sizes: [500, 1000, 2000, 3000] },
  connectRate: { connections: 5000, concurrency: 50 },
};

/** `--tiny`: a few dozen clients, to show the harness works (the smoke test in `npm test`). */
export const TINY_SETTINGS: BenchSettings = {
  fanOut: { subscribers: 20, burst: 10, payloadBytes: 100, compressedPayloadBytes: 4096, seconds: 0.2 },
  latency: { subscribers: 20, perSecond: 50, seconds: 0.3, payloadBytes: 100 },
  memory: { connections: 40, roomSize: 10 },
  idle: { connections: 40, roomSize: 10, cpuSeconds: 1 },
  presenceStorm: { sizes: [10, 20] },
  connectRate: { connections: 40, concurrency: 10 },
};

/** The connections the idle workload holds: as many as asked, or as one server process may hold, in whole rooms. */
export function idleConnections({ idle }: BenchSettings): number {
  return Math.floor(Math.min(idle.connections, socketsPerProcess()) / idle.roomSize) * idle.roomSize;
}

/** The most connections any workload opens from 127.0.0.1 at once (for the local ports). */
export function mostConnectionsFromOneAddress(settings: BenchSettings): number {
  return Math.max(
    settings.fanOut.subscribers + 1,
    settings.latency.subscribers + 1,
    settings.memory.connections,
    ...settings.presenceStorm.sizes,
    settings.connectRate.connections + 100,
  );
}

/** The most connections any one process holds at once (for the open-file limit). */
export function mostConnections(settings: BenchSettings): number {
  return Math.max(mostConnectionsFromOneAddress(settings), idleConnections(settings));
}
