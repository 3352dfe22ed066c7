import type { BenchClient } from '../clients/bench-client';
import type { RunningServer, ServerKind } from '../servers/server-kinds';
import type { Usage } from '../support/server-process';

/** The sizes of one run; `npm run bench` takes the defaults, `--full` the larger ones. */
export interface BenchSettings {
  /** `compressedPayloadBytes`: the payload of the compressed fan-out (`fan-out-deflate`). */
  fanOut: { subscribers: number; burst: number; payloadBytes: number; compressedPayloadBytes: number; seconds: number };
  latency: { subscribers: number; perSecond: number; seconds: number; payloadBytes: number };
  memory: { connections: number; roomSize: number };
  /**
   * `idle-connections`: connections asked for (the run holds as many as one server process may, up to
   * that), rooms of `roomSize`, and the seconds over which the idle server's CPU is read (one heartbeat
   * interval: 25 s, the module's default, so that one round of pings falls in it).
   */
  idle: { connections: number; roomSize: number; cpuSeconds: number };
  presenceStorm: { sizes: number[] };
  connectRate: { connections: number; concurrency: number };
}

/** One measured number, and which way is better. */
export interface FigureSpec {
  key: string;
  label: string;
  unit: string;
  better: 'higher' | 'lower';
}

export type Figures = Record<string, number>;

/** One workload: the same for every server kind, run against a fresh server. */
export interface Workload {
  name: string;
  figures(settings: BenchSettings): FigureSpec[];
  run(context: WorkloadContext): Promise<Figures>;
  /** The server kinds it runs on; every kind when unset. */
  kinds?: string[];
}

export interface WorkloadContext {
  kind: ServerKind;
  /** A fresh server of the kind, started for this workload and stopped after it. */
  readonly server: RunningServer;
  settings: BenchSettings;
  log(line: string): void;
  /** Stops the server and starts a fresh one (`server` is the new one). */
  restart(): Promise<void>;
  /** Runs `cleanup` once the workload's server has stopped: clients closed then cost the server nothing. */
  afterStop(cleanup: () => void): void;
  /** Records that part of the workload failed; the figures it returns still count. */
  fail(message: string): void;
}

/** Opens `count` clients with `open(index)`, `concurrency` handshakes at a time; closes them all if one fails. */
export async function openClients(count: number, concurrency: number, open: (index: number) => Promise<BenchClient>): Promise<BenchClient[]> {
  const clients: BenchClient[] = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      clients[index] = await open(index);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  } catch (error) {
    closeClients(clients);
    throw error;
  }
  return clients;
}

/** Opens `count` clients, `concurrency` handshakes at a time; ids are `${prefix}${index}`. */
export function connectClients(context: WorkloadContext, count: number, prefix: string, concurrency = 100, offset = 0): Promise<BenchClient[]> {
  return openClients(count, concurrency, (index) => context.kind.clients.connect(context.server.urlFor(offset + index), `${prefix}${offset + index}`));
}

/** The publisher of a workload (`pub-0`, on the first node), of the kind's `publishers` when it has them. */
export function connectPublisher(context: WorkloadContext): Promise<BenchClient> {
  const kind = context.kind.publishers ?? context.kind.clients;
  return kind.connect(context.server.urlFor(0), 'pub-0');
}

export function closeClients(clients: Array<BenchClient | undefined>): void {
  for (const client of clients) client?.close();
}

/** Runs `work` with the clients, which are closed once the workload's server has stopped. */
export function withClients<T>(context: WorkloadContext, clients: BenchClient[], work: () => Promise<T>): Promise<T> {
  context.afterStop(() => closeClients(clients));
  return work();
}

/** A payload of exactly `bytes` characters that carries a number between two `~`, found again by `markerOf`. */
export function markedPayload(marker: number, bytes: number): string {
  const head = `~${marker}~`;
  return head + 'x'.repeat(Math.max(0, bytes - head.length));
}

/**
 * A payload of `bytes` characters with a marker as `markedPayload`'s, shaped like a list of chat rows:
 * deflate (level 3) takes it to about a fifth of its size, as it does JSON of that kind.
 */
export function compressiblePayload(marker: number, bytes: number): string {
  let text = `~${marker}~`;
  for (let row = 0; text.length < bytes; row++) {
    text += ` id=${marker * 64 + row} user=user-${(marker + row * 7) % 97} text=hello from row ${row} score=${(marker * 7919 + row * 104729) % 100_000};`;
  }
  return text.slice(0, bytes);
}

const TILDE = 0x7e;

/** The number `markedPayload` put in a message, found in the message as received (bytes or text). */
export function markerOf(raw: Buffer | string): number {
  if (typeof raw === 'string') {
    const start = raw.indexOf('~');
    return start < 0 ? -1 : parseInt(raw.slice(start + 1, raw.indexOf('~', start + 1)), 10);
  }
  const start = raw.indexOf(TILDE);
  if (start < 0) return -1;
  let value = 0;
  for (let i = start + 1; i < raw.length && raw[i] !== TILDE; i++) value = value * 10 + raw[i] - 0x30;
  return value;
}

/** Resolves when `done()` holds, checking after each event the caller reports with `check()`; rejects after `timeoutMs`. */
export class Completion {
  private resolve!: () => void;
  private reject!: (error: Error) => void;
  readonly promise: Promise<void>;
  private settled = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly done: () => boolean,
    timeoutMs: number,
    describe: () => string,
  ) {
    this.promise = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    this.timer = setTimeout(() => this.finish(new Error(`Timed out after ${timeoutMs / 1000} s: ${describe()}`)), timeoutMs);
  }

  check(): void {
    if (!this.settled && this.done()) this.finish();
  }

  private finish(error?: Error): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    if (error) this.reject(error);
    else this.resolve();
  }
}

/**
 * Puts the clients in presence rooms of `roomSize` (`${prefix}0`, `${prefix}1`, …), each with its id as
 * its meta's name, 100 joins at a time, and waits for the presence frames to stop.
 */
export async function joinPresenceRooms(clients: BenchClient[], prefix: string, roomSize: number): Promise<void> {
  const rooms = Math.ceil(clients.length / roomSize);
  let next = 0;
  const join = async () => {
    while (next < clients.length) {
      const client = clients[next];
      await client.join(`${prefix}${next++ % rooms}`, { name: client.id });
    }
  };
  await Promise.all(Array.from({ length: 100 }, join));
  await quiet(clients, 200);
}

/** Connections opened and closed before the empty server is measured. */
const WARM_UP = 200;

/**
 * The empty server's usage after forced collections, measured warm: code compiled for the first
 * connections (200 clients in presence rooms, fewer for a smaller workload, then gone) is not theirs to carry.
 */
export async function warmEmptyUsage(context: WorkloadContext, roomSize: number, connections: number): Promise<Usage> {
  const warm = await connectClients(context, Math.min(WARM_UP, connections), 'warm-');
  await joinPresenceRooms(warm, 'room:warm-', roomSize);
  closeClients(warm);
  // Time for the server to see the closes and release them (on its next cleanup tick).
  await new Promise((resolve) => setTimeout(resolve, 500));
  return context.server.usage(true);
}

/** Resolves once nothing has been received for `quietMs` (the trailing frames of a workload have arrived). */
export async function quiet(clients: BenchClient[], quietMs: number, maxMs = 30_000): Promise<void> {
  const total = () => clients.reduce((sum, client) => sum + client.received.frames, 0);
  const started = Date.now();
  let last = total();
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, quietMs));
    const now = total();
    if (now === last || Date.now() - started > maxMs) return;
    last = now;
  }
}

export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
