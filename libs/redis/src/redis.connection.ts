import Redis, { Cluster } from 'ioredis';
import type { RealtimeLogger } from '@nest-realtime/core/engine';
import type { ResolvedRedisEngineOptions } from './redis-engine.options';
import { RedisKeys } from './redis.keys';
import { redisScripts, RedisScriptName } from './redis.scripts';

type Arg = string | number | Buffer;

/**
 * ms a sharded (un)subscription may take: ioredis queues it on a master's subscriber while that one is
 * being replaced, and would keep it waiting as long as the master is away.
 */
const SHARDED_SUBSCRIBE_TIMEOUT_MS = 2000;
type ScriptCall = (...args: Arg[]) => Promise<unknown>;
type ScriptCalls = Record<RedisScriptName | `${RedisScriptName}Buffer`, ScriptCall>;

/** What the connection tells the engine. */
export interface RedisConnectionEvents {
  /** A message on one of the buses this node subscribed to. */
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
 * The engine's two Redis clients (commands with the scripts, and the bus subscriber) on one Redis or a
 * Redis Cluster, whether Redis can be reached, and how a call behaves when it cannot: a read falls back to
 * this node's own view, a write of this node's state marks it `stale` (the next resynchronisation writes
 * it), and what lives in Redis only fails with a message that says so.
 *
 * On a cluster both clients are ioredis `Cluster`s, which follow MOVED/ASK and load the scripts on each
 * master as they are first run there; the subscriber keeps one connection per master for sharded pub/sub
 * (SSUBSCRIBE), so a channel's frames stay in the channel's shard.
 */
export class RedisConnection {
  readonly nodeId: string;
  readonly prefix: string;
  readonly keys: RedisKeys;
  /** On a Redis Cluster: sharded pub/sub, and no command spans two slots. */
  readonly sharded: boolean;
  readonly commands: Redis | Cluster;
  readonly subscriber: Redis | Cluster;
  readonly scripts: ScriptCalls;
  /** This node's bus (frames for its connections) and the cluster's (notices to every node). */
  readonly nodeBus: string;
  readonly clusterBus: string;
  /** Some of this node's state may be missing from Redis: the next resynchronisation writes it back. */
  stale = false;
  /** On a cluster, each master's run_id: a new one means the master restarted (or failed over). */
  private readonly runIds = new Map<string, string>();
  private everReady = false;
  private outage = false;
  private closed = false;
  private resubscribing = false;

  constructor(
    private readonly options: ResolvedRedisEngineOptions,
    private readonly logger: RealtimeLogger,
  ) {
    this.nodeId = options.nodeId;
    this.prefix = options.keyPrefix;
    this.keys = new RedisKeys(this.prefix);
    this.nodeBus = this.keys.node('bus', this.nodeId);
    this.clusterBus = this.keys.clusterBus;
    this.sharded = options.cluster !== undefined;
    const scripts = redisScripts(this.sharded);
    const retryStrategy = (attempt: number) => Math.min(100 * attempt, 2000);
    if (options.cluster) {
      const { nodes, redis } = options.cluster;
      const cluster = {
        lazyConnect: true,
        enableOfflineQueue: false,
        enableAutoPipelining: true,
        clusterRetryStrategy: retryStrategy,
        // A cluster that lost a master answers CLUSTERDOWN: fail soon (the engine falls back), as with one Redis.
        retryDelayOnClusterDown: 100,
        maxRedirections: 5,
        // A master that restarted is seen again (and its loss noticed, see mastersRestarted) within one refresh.
        slotsRefreshInterval: 5000,
        ...redis,
        redisOptions: { connectTimeout: options.connectTimeout, maxRetriesPerRequest: 0, ...redis.redisOptions },
      };
      this.commands = new Cluster(nodes, { ...cluster, redisOptions: { ...cluster.redisOptions, connectionName: `${this.nodeId}:commands` }, scripts });
      this.subscriber = new Cluster(nodes, { ...cluster, shardedSubscribers: true, redisOptions: { ...cluster.redisOptions, connectionName: `${this.nodeId}:bus` } });
    } else {
      const base = {
        lazyConnect: true,
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        connectTimeout: options.connectTimeout,
        retryStrategy,
        ...options.redis,
      };
      this.commands = new Redis(options.url, { ...base, connectionName: `${this.nodeId}:commands`, scripts });
      this.subscriber = new Redis(options.url, { ...base, connectionName: `${this.nodeId}:bus`, autoResubscribe: true });
    }
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
    if (this.sharded) this.watchShardedSubscriber(events);
    else this.watchSubscriber(events);
    try {
      await Promise.all([this.commands.connect(), this.subscriber.connect()]);
      await this.subscribe(this.nodeBus, this.clusterBus);
      await this.mastersRestarted();
      await first();
    } catch (error) {
      this.commands.disconnect();
      this.subscriber.disconnect();
      throw new Error(
        `RedisEngine: could not reach Redis at ${this.describe()} within ${this.options.connectTimeout} ms (${String(error)}). ` +
          'Start Redis, or point the engine at yours (option "url" or "cluster", or REDIS_URL / REDIS_CLUSTER_NODES in the demo).',
      );
    }
    this.everReady = true;
  }

  /** Subscribes to buses; resolves once Redis confirmed. On a cluster each goes to its slot's master. */
  async subscribe(...channels: string[]): Promise<void> {
    if (this.sharded) await Promise.all(channels.map((channel) => bounded(this.subscriber.ssubscribe(channel), `subscribe to ${channel}`)));
    else await this.subscriber.subscribe(...channels);
  }

  async unsubscribe(...channels: string[]): Promise<void> {
    if (this.sharded) await Promise.all(channels.map((channel) => bounded(this.subscriber.sunsubscribe(channel), `unsubscribe from ${channel}`)));
    else await this.subscriber.unsubscribe(...channels);
  }

  /** Publishes on a bus (SPUBLISH on a cluster). */
  publish(channel: string, message: string | Buffer): Promise<unknown> {
    return this.sharded ? this.commands.spublish(channel, message) : this.commands.publish(channel, message);
  }

  /**
   * Whether a master of the cluster restarted since last asked. The clients stay `ready` when one master
   * comes back empty, so this is how a node learns that its share of the state there is gone (on one
   * Redis, the reconnection says it). A master that does not answer counts as none.
   */
  async mastersRestarted(): Promise<boolean> {
    if (!(this.commands instanceof Cluster)) return false;
    let restarted = false;
    const masters = this.commands.nodes('master');
    await Promise.all(
      masters.map(async (master) => {
        const info = await master.info('server').catch(() => '');
        const runId = /run_id:(\w+)/.exec(info)?.[1];
        if (!runId) return;
        const where = `${master.options.host}:${master.options.port}`;
        const before = this.runIds.get(where);
        if (before !== undefined && before !== runId) restarted = true;
        this.runIds.set(where, runId);
      }),
    );
    return restarted;
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
    if (!this.up) throw new Error(`RedisEngine: could not ${what}: Redis at ${this.describe()} is unreachable; try again once it is back.`);
    return run();
  }

  /** A call to Redis failed: this node's state will be written back. */
  failed(what: string, error: unknown): void {
    this.stale = true;
    if (!this.outage && !this.closed) this.logger.warn(`Redis: ${what} failed (${String(error)}); this node's state will be written back`);
  }

  /**
   * A command went through: on a cluster that lost a master the clients stay `ready`, so a heartbeat that
   * goes through again is what ends the outage.
   */
  reachable(): void {
    if (!this.outage || this.closed) return;
    this.outage = false;
    this.logger.log(`Redis at ${this.describe()} is back: writing this node's state back`);
  }

  /** Closes both clients (politely when they can still answer). */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([quit(this.commands), quit(this.subscriber)]);
  }

  private watchSubscriber(events: RedisConnectionEvents): void {
    this.subscriber.on('ready', () => {
      if (!this.everReady || this.closed) return;
      // ioredis subscribes again by itself; this request's reply tells when the subscriptions are in force.
      events.resubscribed(this.subscriber.subscribe(this.nodeBus, this.clusterBus));
    });
    this.subscriber.on('messageBuffer', (channel: Buffer, message: Buffer) => events.received(channel.toString(), message));
  }

  /**
   * ioredis replaces the subscriber of a master it lost (`-subscriber`), and says when the new ones were
   * asked to subscribe again (`subscribersReady`); a subscription to this node's bus, answered after them,
   * tells when they are in force.
   */
  private watchShardedSubscriber(events: RedisConnectionEvents): void {
    this.subscriber.on('-subscriber', () => {
      if (!this.everReady || this.closed || this.resubscribing) return;
      this.resubscribing = true;
      events.resubscribed(
        new Promise<void>((resolve) => this.subscriber.once('subscribersReady', resolve)).then(() => {
          this.resubscribing = false;
          return this.subscribe(this.nodeBus, this.clusterBus);
        }),
      );
    });
    this.subscriber.on('smessageBuffer', (channel: Buffer, message: Buffer) => events.received(channel.toString(), message));
  }

  private unreachable(error: Error): void {
    if (this.outage || this.closed) return;
    this.outage = true;
    this.logger.error(`Redis at ${this.describe()} is unreachable (${error.message}): serving this node's clients alone until it is back`);
  }

  private reconnected(events: RedisConnectionEvents): void {
    if (!this.everReady || this.closed) return;
    this.reachable();
    events.reconnected();
  }

  private describe(): string {
    const { cluster } = this.options;
    if (cluster) return `the cluster of ${cluster.nodes.map(({ host, port }) => `${host}:${port}`).join(', ')}`;
    return this.options.url.replace(/\/\/[^@/]*@/, '//***@');
  }
}

/** The reply, or a failure once SHARDED_SUBSCRIBE_TIMEOUT_MS passed (the caller retries later). */
function bounded<T>(reply: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`could not ${what} within ${SHARDED_SUBSCRIBE_TIMEOUT_MS} ms`)), SHARDED_SUBSCRIBE_TIMEOUT_MS);
  });
  return Promise.race([reply, late]).finally(() => clearTimeout(timer));
}

async function quit(client: Redis | Cluster): Promise<void> {
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
