import type { PresenceMeta, PresenceState } from '@nest-realtime/protocol';
import type { MemoryEngine, PresenceStore, PresenceWrite } from '@nest-realtime/core/engine';
import { storedMeta } from '@nest-realtime/core/engine';
import type { RedisConnection } from '../redis.connection';
import { parseStored } from '../redis.scripts';

/**
 * The cluster's presence in Redis, with each clientId's count of metas (so that first and last are right
 * across nodes); this node's also in its local engine, which answers while Redis is away.
 */
export class RedisPresence implements PresenceStore {
  constructor(
    private readonly redis: RedisConnection,
    private readonly local: MemoryEngine['presence'],
    private readonly localConnections: MemoryEngine['directory'],
  ) {}

  async set(channel: string, clientId: string, connectionId: string, meta: Record<string, unknown>): Promise<PresenceWrite> {
    const { redis } = this;
    const local = await this.local.set(channel, clientId, connectionId, meta);
    return redis.read(
      'presence',
      async () => {
        const json = JSON.stringify({ c: clientId, m: meta });
        const [before, after, onlineAt] = (await redis.scripts.rtPresenceSet(redis.prefix, channel, clientId, connectionId, json, local.meta.onlineAt as number)) as [
          number,
          number,
          string,
        ];
        return { clientId, connectionId, meta: storedMeta(meta, connectionId, Number(onlineAt)), countBefore: Number(before), countAfter: Number(after) };
      },
      () => local,
    );
  }

  async remove(channel: string, connectionId: string): Promise<PresenceWrite | undefined> {
    const { redis } = this;
    const local = await this.local.remove(channel, connectionId);
    return redis.read(
      'presence',
      async () => {
        const removed = (await redis.scripts.rtPresenceRemove(redis.prefix, channel, connectionId)) as [string, number, number] | null;
        if (!removed) return local;
        const { clientId, meta } = presenceOf(connectionId, removed[0]);
        return { clientId, connectionId, meta, countBefore: Number(removed[1]), countAfter: Number(removed[2]) };
      },
      () => local,
    );
  }

  async meta(channel: string, connectionId: string): Promise<{ clientId: string; meta: PresenceMeta } | undefined> {
    if (this.localConnections.holds(connectionId)) return this.local.meta(channel, connectionId);
    return this.redis.read(
      'presence',
      async () => {
        const stored = await this.redis.commands.hget(`${this.redis.prefix}presence:${channel}`, connectionId);
        return stored ? presenceOf(connectionId, stored) : undefined;
      },
      () => undefined,
    );
  }

  async state(channel: string): Promise<PresenceState> {
    return this.redis.read(
      'presence',
      async () => {
        const entries = Object.entries(await this.redis.commands.hgetall(`${this.redis.prefix}presence:${channel}`))
          .map(([connectionId, stored]) => presenceOf(connectionId, stored))
          .sort((a, b) => a.meta.onlineAt - b.meta.onlineAt || a.meta.connectionId.localeCompare(b.meta.connectionId));
        const state: PresenceState = {};
        for (const { clientId, meta } of entries) (state[clientId] ??= { metas: [] }).metas.push(meta);
        return state;
      },
      () => this.local.state(channel),
    );
  }

  /** This node's own entries: each node sweeps its own. */
  orphans(): Promise<Array<{ channel: string; connectionId: string }>> {
    return this.local.orphans();
  }
}

function presenceOf(connectionId: string, stored: string): { clientId: string; meta: PresenceMeta } {
  const { stamp, body } = parseStored<{ c: string; m: Record<string, unknown> }>(stored);
  return { clientId: body.c, meta: storedMeta(body.m, connectionId, stamp) };
}
