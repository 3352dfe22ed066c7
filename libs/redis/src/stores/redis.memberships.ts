import type { JoinOutcome, LocalConnection, MemoryEngine, Membership, MembershipStore } from '@nest-realtime/core/engine';
import type { RedisConnection } from '../redis.connection';
import { parseStored } from '../redis.scripts';

/**
 * The cluster's memberships in Redis (with, per channel, the nodes that hold members: where a publish
 * goes); this node's also in its local engine, which delivers to them and answers while Redis is away.
 */
export class RedisMemberships implements MembershipStore {
  constructor(
    private readonly redis: RedisConnection,
    private readonly local: MemoryEngine['memberships'],
    private readonly localConnections: MemoryEngine['directory'],
  ) {}

  async join(channel: string, connection: LocalConnection, meta: Record<string, unknown>, limit = 0): Promise<JoinOutcome> {
    const { redis } = this;
    // Local first: a message routed to this node right after Redis took the member must find it here.
    const local = await this.local.join(channel, connection, meta, redis.up ? 0 : limit);
    if (local.full || !redis.up) return local;
    const json = JSON.stringify({ c: connection.clientId, n: redis.nodeId, m: meta });
    return redis.read<JoinOutcome>(
      'join',
      async () => {
        const outcome = Number(await redis.scripts.rtJoin(redis.prefix, redis.nodeId, channel, connection.id, json, limit, Date.now()));
        if (outcome !== -1) return { created: outcome === 1 };
        if (local.created) await this.local.leave(channel, connection.id);
        return { created: false, full: true };
      },
      () => local,
    );
  }

  async leave(channel: string, connectionId: string): Promise<Membership | undefined> {
    const { redis } = this;
    const local = await this.local.leave(channel, connectionId);
    return redis.read(
      'leave',
      async () => {
        const removed = (await redis.scripts.rtLeave(redis.prefix, channel, connectionId, redis.nodeId)) as string | null;
        return removed ? membershipOf(connectionId, removed) : local;
      },
      () => local,
    );
  }

  async get(channel: string, connectionId: string): Promise<Membership | undefined> {
    if (this.localConnections.holds(connectionId)) return this.local.get(channel, connectionId);
    return this.redis.read(
      'membership',
      async () => {
        const stored = await this.redis.commands.hget(`${this.redis.prefix}members:${channel}`, connectionId);
        return stored ? membershipOf(connectionId, stored) : undefined;
      },
      () => undefined,
    );
  }

  async members(channel: string): Promise<Membership[]> {
    return this.redis.read(
      'members',
      async () => {
        const all = await this.redis.commands.hgetall(`${this.redis.prefix}members:${channel}`);
        return Object.entries(all)
          .map(([connectionId, stored]) => membershipOf(connectionId, stored))
          .sort((a, b) => a.joinedAt - b.joinedAt || a.connectionId.localeCompare(b.connectionId));
      },
      () => this.local.members(channel),
    );
  }

  async count(channel: string): Promise<number> {
    return this.redis.read('member count', () => this.redis.commands.hlen(`${this.redis.prefix}members:${channel}`), () => this.local.count(channel));
  }

  async channelsOf(connectionId: string): Promise<string[]> {
    if (this.localConnections.holds(connectionId)) return this.local.channelsOf(connectionId);
    return this.redis.read('channels of a connection', () => this.redis.commands.smembers(`${this.redis.prefix}conn-chans:${connectionId}`), () => []);
  }

  /** Local bookkeeping: Redis drops a channel's keys by itself when they empty. */
  emptyChannels(): Promise<Array<{ channel: string; since: number }>> {
    return this.local.emptyChannels();
  }

  dropChannel(channel: string): Promise<boolean> {
    return this.local.dropChannel(channel);
  }
}

function membershipOf(connectionId: string, stored: string): Membership {
  const { stamp, body } = parseStored<{ c: string; m: Record<string, unknown> }>(stored);
  return { connectionId, clientId: body.c, meta: body.m, joinedAt: stamp };
}
