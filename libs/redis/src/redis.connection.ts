import Redis, { ChainableCommander } from 'ioredis';
import type { RealtimeLogger } from '@nest-realtime/core/engine';
import type { ResolvedRedisEngineOptions } from './redis-engine.options';
import { REDIS_SCRIPTS, RedisScriptName } from './redis.scripts';

type Arg = string | number | Buffer;
type ScriptCall = (...args: Arg[]) => Promise<unknown>;
type ScriptCalls = Record<RedisScriptName | `${RedisScriptName}Buffer`, ScriptCall>;

/** What the connection tells the engine. */
export interface RedisConnectionEvents {
  /** A message on this node's bus or the cluster's. */
  received(channel: string, message: Buffer): void;
  /** Commands reach Redis again after the connection was lost (not at startup). */
  reconnected(): void;
  /**
   * The subscriber is back after it was lost, before any message can arrive; `subscribed` resolves once
   * its subscriptions are restored.
   */
  resubscribed(subscribed: Promise<unknown>): void;
}

/**
 * The engine's two Redis clients (commands with the scripts, and the bus subscriber), whether Redis can be
 * reached, and how a call behaves when it cannot: a read falls back to this node's own view, a write of
 * this node's state marks it `stale` (the next resynchronisation writes it), and what lives in Redis only
 * fails with a message that says so.
 */
export class RedisConnection {
  readonly nodeId: string;
  readonly prefix: string;
  readonly commands: Redis;
  readonly subscriber: Redis;
  readonly scripts: ScriptCalls;
  /** This node's bus (frames for its connections) and the cluster's (notices to every node). */
  readonly nodeBus: string;
  readonly clusterBus: string;
  /** Some of this node's state may be missing from Redis: the next resynchronisation writes it back. */
  stale = false;
  private everReady = false;
  private outage = false;
  private closed = false;

  constructor(
    private readonly options: ResolvedRedisEngineOptions,
    private readonly logger: RealtimeLogger,
  ) {
    this.nodeId = options.nodeId;
    this.prefix = options.keyPrefix;
    this.nodeBus = `${this.prefix}bus:${this.nodeId}`;
    this.clusterBus = `${this.prefix}bus`;
    const base = {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: options.connectTimeout,
      retryStrategy: (attempt: number) => Math.min(100 * attempt, 2000),
      ...options.redis,
    };
    this.commands = new Redis(options.url, { ...base, connectionName: `${this.nodeId}:commands`, scripts: REDIS_SCRIPTS });
    this.subscriber = new Redis(options.url, { ...base, connectionName: `${this.nodeId}:bus`, autoResubscribe: true });
    this.scripts = this.commands as unknown as ScriptCalls;
  }

  /** Whether commands can go to Redis now. */
  get up(): boolean {
    return this.commands.status === 'ready' && !this.closed;
  }

  /** Whether the engine started (Redis answered once); before, nothing is written back. */
  get started(): boolean {
    return this.everReady;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Connects both clients, subscribes to the buses and runs `first` (the first heartbeat); fails, saying
   * where it looked and what to do, when Redis cannot be reached in time.
   */
  async open(events: RedisConnectionEvents, first: () => Promise<void>): Promise<void> {
    this.commands.on('error', (error: Error) => this.unreachable(error));
    this.subscriber.on('error', (error: Error) => this.unreachable(error));
    this.commands.on('close', () => this.everReady && this.unreachable(new Error('the connection closed')));
    this.commands.on('ready', () => this.reconnected(events));
    this.subscriber.on('ready', () => {
      if (!this.everReady || this.closed) return;
      // ioredis subscribes again by itself; this request's reply tells when the subscriptions are in force.
      events.resubscribed(this.subscriber.subscribe(this.nodeBus, this.clusterBus));
    });
    this.subscriber.on('messageBuffer', (channel: Buffer, message: Buffer) => events.received(channel.toString(), message));
    try {
      await Promise.all([this.commands.connect(), this.subscriber.connect()]);
      await this.subscriber.subscribe(this.nodeBus, this.clusterBus);
      await first();
    } catch (error) {
      this.commands.disconnect();
      this.subscriber.disconnect();
      throw new Error(
        `RedisEngine: could not reach Redis at ${this.describeUrl()} within ${this.options.connectTimeout} ms (${String(error)}). ` +
          'Start Redis, or point the engine at yours (option "url", or REDIS_URL in the demo).',
      );
    }
    this.everReady = true;
  }

  /** Runs against Redis when it is up; falls back to this node's own view when it is not, or the call fails. */
  async read<T>(what: string, run: () => Promise<T>, fallback: () => T | Promise<T>): Promise<T> {
    if (!this.up) return fallback();
    try {
      return await run();
    } catch (error) {
      this.failed(what, error);
      return fallback();
    }
  }

  /** A write of this node's state: when Redis misses it, the next resynchronisation writes it. */
  async write(what: string, run: () => Promise<unknown>): Promise<void> {
    await this.read(what, run, () => {
      this.stale = true;
    });
  }

  /** What lives in Redis only: fails with a message that says so when Redis cannot be reached. */
  async need<T>(what: string, run: () => Promise<T>): Promise<T> {
    if (!this.up) throw new Error(`RedisEngine: could not ${what}: Redis at ${this.describeUrl()} is unreachable; try again once it is back.`);
    return run();
  }

  /** Runs a pipeline; throws its first error. */
  async exec(pipeline: ChainableCommander): Promise<unknown[]> {
    const results = (await pipeline.exec()) ?? [];
    const failure = results.find(([error]) => error);
    if (failure) throw failure[0];
    return results.map(([, value]) => value);
  }

  /** A call to Redis failed: this node's state will be written back. */
  failed(what: string, error: unknown): void {
    this.stale = true;
    if (!this.outage && !this.closed) this.logger.warn(`Redis: ${what} failed (${String(error)}); this node's state will be written back`);
  }

  /** Closes both clients (politely when they can still answer). */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([quit(this.commands), quit(this.subscriber)]);
  }

  private unreachable(error: Error): void {
    if (this.outage || this.closed) return;
    this.outage = true;
    this.logger.error(`Redis at ${this.describeUrl()} is unreachable (${error.message}): serving this node's clients alone until it is back`);
  }

  private reconnected(events: RedisConnectionEvents): void {
    if (!this.everReady || this.closed) return;
    if (this.outage) this.logger.log(`Redis at ${this.describeUrl()} is back: writing this node's state back`);
    this.outage = false;
    events.reconnected();
  }

  private describeUrl(): string {
    return this.options.url.replace(/\/\/[^@/]*@/, '//***@');
  }
}

/** Queues a script call in a pipeline. */
export function pipelineCall(pipeline: ChainableCommander, script: RedisScriptName, ...args: Arg[]): void {
  (pipeline as unknown as Record<RedisScriptName, (...args: Arg[]) => void>)[script](...args);
}

async function quit(client: Redis): Promise<void> {
  if (client.status === 'ready') {
    try {
      await client.quit();
      return;
    } catch {
      // fall through: cut it
    }
  }
  client.disconnect();
}
