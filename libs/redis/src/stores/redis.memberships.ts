import type { JoinOutcome, LocalConnection, MemoryEngine, Membership, MembershipStore } from '@nest-realtime/core/engine';
import type { ChannelSubscriptions } from '../channel.subscriptions';
import type { RedisConnection } from '../redis.connection';
import { parseStored } from '../redis.scripts';

/**
 * The cluster's memberships in Redis (with, per channel, the nodes that hold members); this node's also in
 * its local engine, which delivers to them and answers while Redis is away. A node subscribes to a
 * channel's bus before its member joins in Redis, and leaves it with its last member there.
 */
export class RedisMemberships implements MembershipStore {
  constructor(
    private readonly redis: RedisConnection,
    private readonly local: MemoryEngine['memberships'],
    private readonly localConnections: MemoryEngine['directory'],
    private readonly subscriptions: ChannelSubscriptions,
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
        await this.subscriptions.hold(channel);
        const outcome = await writeMembership(redis, channel, connection.id, json, limit, Date.now());
        if (outcome !== -1) return { created: outcome === 1 };
        if (local.created) await this.local.leave(channel, connection.id);
        await redis.commands.srem(redis.keys.connection('conn-chans', connection.id), channel);
        await this.subscriptions.settle(channel);
        return { created: false, full: true };
      },
      () => local,
    );
  }

  async leave(channel: string, connectionId: string): Promise<Membership | undefined> {
    const { redis } = this;
    const local = await this.local.leave(channel, connectionId);
    if (local) void this.subscriptions.settle(channel).catch(() => undefined);
    return redis.read(
      'leave',
      async () => {
        // The connection's index of channels is sent after the membership: a cleanup cut short still finds it.
        const [removed] = (await Promise.all([
          redis.scripts.rtLeave(redis.keys.channel('members', channel), redis.prefix, channel, connectionId, redis.nodeId),
          redis.commands.srem(redis.keys.connection('conn-chans', connectionId), channel),
        ])) as [string | null, number];
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
        const stored = await this.redis.commands.hget(this.redis.keys.channel('members', channel), connectionId);
        return stored ? membershipOf(connectionId, stored) : undefined;
      },
      () => undefined,
    );
  }

  async members(channel: string): Promise<Membership[]> {
    return this.redis.read(
      'members',
      async () => {
        const all = await this.redis.commands.hgetall(this.redis.keys.channel('members', channel));
        return Object.entries(all)
          .map(([connectionId, stored]) => membershipOf(connectionId, stored))
          .sort((a, b) => a.joinedAt - b.joinedAt || a.connectionId.localeCompare(b.connectionId));
      },
      () => this.local.members(channel),
    );
  }

  async count(channel: string): Promise<number> {
    return this.redis.read('member count', () => this.redis.commands.hlen(this.redis.keys.channel('members', channel)), () => this.local.count(channel));
  }

  async channelsOf(connectionId: string): Promise<string[]> {
    if (this.localConnections.holds(connectionId)) return this.local.channelsOf(connectionId);
    return this.redis.read('channels of a connection', () => this.redis.commands.smembers(this.redis.keys.connection('conn-chans', connectionId)), () => []);
  }

  /** Local bookkeeping: Redis drops a channel's keys by itself when they empty. */
  emptyChannels(): Promise<Array<{ channel: string; since: number }>> {
    return this.local.emptyChannels();
  }

  dropChannel(channel: string): Promise<boolean> {
    return this.local.dropChannel(channel);
  }
}

/**
 * A membership into Redis (the node subscribed to the channel's bus first): the channel indexed under the
 * connection and the script that takes the member, sent together, in that order (1 created, 0 meta
 * updated, -1 full).
 */
export async function writeMembership(redis: RedisConnection, channel: string, connectionId: string, json: string, limit: number, joinedAt: number): Promise<number> {
  const { keys, prefix, nodeId } = redis;
  const [, outcome] = await Promise.all([
    redis.commands.sadd(keys.connection('conn-chans', connectionId), channel),
    redis.scripts.rtJoin(keys.channel('members', channel), prefix, nodeId, channel, connectionId, json, limit, joinedAt),
  ]);
  return Number(outcome);
}

function membershipOf(connectionId: string, stored: string): Membership {
  const { stamp, body } = parseStored<{ c: string; m: Record<string, unknown> }>(stored);
  return { connectionId, clientId: body.c, meta: body.m, joinedAt: stamp };
}
