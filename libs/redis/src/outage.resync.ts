import type { EngineListener, MemoryEngine } from '@nest-realtime/core/engine';
import type { ChannelSubscriptions } from './channel.subscriptions';
import type { ConnectionCleanup } from './connection.cleanup';
import type { NodeLiveness } from './node.liveness';
import type { RedisConnection } from './redis.connection';
import { writeConnection } from './stores/redis.directory';
import { writeMembership } from './stores/redis.memberships';

/** Writes of one resynchronisation sent at once. */
const RESYNC_BATCH = 500;
/** ms between a resynchronisation notice and the presence states it causes (notices come in bursts). */
const RESYNC_SETTLE_MS = 100;

/**
 * Writes this node's state (its connections, memberships and presence, kept in its local engine) back
 * into Redis after Redis lost it or missed some of it, then tells every node, whose listeners send their
 * members fresh presence states.
 */
export class OutageResync {
  private readonly listeners: EngineListener[] = [];
  private running?: Promise<void>;
  private again = false;
  private settleTimer?: NodeJS.Timeout;

  constructor(
    private readonly redis: RedisConnection,
    private readonly liveness: NodeLiveness,
    private readonly local: MemoryEngine,
    private readonly cleanup: ConnectionCleanup,
    private readonly subscriptions: ChannelSubscriptions,
  ) {}

  watch(listener: EngineListener): void {
    this.listeners.push(listener);
  }

  /** Redis is back after an outage: its state (or this node's part of it) may be gone. */
  reconnected(): void {
    this.liveness.quiet();
    void this.run();
  }

  /** Writes the state back if some of it missed Redis. */
  async ifStale(): Promise<void> {
    if (this.redis.stale) await this.run();
  }

  /** Writes this node's state back (once at a time; again if asked meanwhile), then tells every node. */
  run(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        this.redis.stale = false;
        await this.liveness.heartbeat();
        await this.cleanup.dropNode(this.redis.nodeId, false);
        await this.writeBack();
        await this.redis.publish(this.redis.clusterBus, 'r');
        this.settleSoon();
      } while (this.again && this.redis.up);
    })()
      .catch((error) => {
        this.redis.stale = true;
        this.redis.failed('resynchronise', error);
      })
      .finally(() => (this.running = undefined));
    return this.running;
  }

  /** Tells the listeners, once a burst of notices has passed, to send this node's members fresh presence states. */
  settleSoon(): void {
    if (this.redis.isClosed) return;
    clearTimeout(this.settleTimer);
    this.settleTimer = setTimeout(() => {
      const channels = [...new Set(this.local.memberships.entries().map((member) => member.channel))];
      for (const listener of this.listeners) listener.resynchronised(channels);
    }, RESYNC_SETTLE_MS);
    this.settleTimer.unref();
  }

  stop(): void {
    clearTimeout(this.settleTimer);
  }

  private async writeBack(): Promise<void> {
    const { redis, subscriptions } = this;
    const { keys, prefix, nodeId } = redis;
    const writes: Array<() => Promise<unknown>> = [];
    const channels = new Set<string>();
    for (const c of this.local.directory.entries()) writes.push(() => writeConnection(redis, c));
    for (const m of this.local.memberships.entries()) {
      const json = JSON.stringify({ c: m.clientId, n: nodeId, m: m.meta });
      channels.add(m.channel);
      writes.push(() => writeMembership(redis, m.channel, m.connectionId, json, 0, m.joinedAt));
    }
    for (const entry of this.local.presence.entries()) {
      const { connectionId: _id, onlineAt, ...meta } = entry.meta;
      const json = JSON.stringify({ c: entry.clientId, m: meta });
      const presence = keys.channel('presence', entry.channel);
      writes.push(() => redis.scripts.rtPresenceSet(presence, prefix, entry.channel, entry.clientId, entry.connectionId, json, onlineAt));
    }
    for (let start = 0; start < writes.length; start += RESYNC_BATCH) {
      await Promise.all(writes.slice(start, start + RESYNC_BATCH).map((write) => write()));
    }
    // The subscriber may come back after the commands: the subscriptions (of channels joined while Redis was
    // away, or lost with it) come last, and a failure there sends the whole write back again later.
    await Promise.all([redis.subscribe(redis.nodeBus, redis.clusterBus), ...[...channels].map((channel) => subscriptions.renew(channel))]);
  }
}
