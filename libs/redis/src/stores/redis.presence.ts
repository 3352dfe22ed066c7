import type { PresenceMeta, PresenceState } from '@nest-realtime/protocol';
import type { MemoryEngine, PresenceStore, PresenceWrite, VersionedPresenceState } from '@nest-realtime/core/engine';
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
        const [before, after, onlineAt, version] = (await redis.scripts.rtPresenceSet(redis.keys.channel('presence', channel), redis.prefix, channel, clientId, connectionId, json, local.meta.onlineAt as number)) as [
          number,
          number,
          string,
          number,
        ];
        const stored = storedMeta(meta, connectionId, Number(onlineAt));
        return { clientId, connectionId, meta: stored, countBefore: Number(before), countAfter: Number(after), version: Number(version) };
      },
      () => unversioned(local),
    );
  }

  async remove(channel: string, connectionId: string): Promise<PresenceWrite | undefined> {
    const { redis } = this;
    const local = await this.local.remove(channel, connectionId);
    return redis.read(
      'presence',
      async () => {
        const removed = (await redis.scripts.rtPresenceRemove(redis.keys.channel('presence', channel), redis.prefix, channel, connectionId)) as [string, number, number, number] | null;
        if (!removed) return local && unversioned(local);
        const { clientId, meta } = presenceOf(connectionId, removed[0]);
        return { clientId, connectionId, meta, countBefore: Number(removed[1]), countAfter: Number(removed[2]), version: Number(removed[3]) };
      },
      () => local && unversioned(local),
    );
  }

  async meta(channel: string, connectionId: string): Promise<{ clientId: string; meta: PresenceMeta } | undefined> {
    if (this.localConnections.holds(connectionId)) return this.local.meta(channel, connectionId);
    return this.redis.read(
      'presence',
      async () => {
        const stored = await this.redis.commands.hget(this.redis.keys.channel('presence', channel), connectionId);
        return stored ? presenceOf(connectionId, stored) : undefined;
      },
      () => undefined,
    );
  }

  async state(channel: string): Promise<PresenceState> {
    return this.redis.read(
      'presence',
      async () => stateOf(await this.redis.commands.hgetall(this.redis.keys.channel('presence', channel))),
      () => this.local.state(channel),
    );
  }

  /** Without Redis, this node's own presence, with no version (the local one counts other writes). */
  async versionedState(channel: string): Promise<VersionedPresenceState> {
    const { redis } = this;
    return redis.read(
      'presence',
      async () => {
        const [version, flat] = (await redis.scripts.rtPresenceState(redis.keys.channel('presence', channel), redis.prefix, channel)) as [number, string[]];
        const stored: Record<string, string> = {};
        for (let i = 0; i < flat.length; i += 2) stored[flat[i]] = flat[i + 1];
        return { presences: stateOf(stored), version: Number(version) };
      },
      async () => ({ presences: await this.local.state(channel) }),
    );
  }

  /** This node's own entries: each node sweeps its own. */
  orphans(): Promise<Array<{ channel: string; connectionId: string }>> {
    return this.local.orphans();
  }
}

/** A write of the local engine, whose versions are not the cluster's. */
function unversioned({ version: _version, ...write }: PresenceWrite): PresenceWrite {
  return write;
}

function stateOf(stored: Record<string, string>): PresenceState {
  const entries = Object.entries(stored)
    .map(([connectionId, value]) => presenceOf(connectionId, value))
    .sort((a, b) => a.meta.onlineAt - b.meta.onlineAt || a.meta.connectionId.localeCompare(b.meta.connectionId));
  const state: PresenceState = {};
  for (const { clientId, meta } of entries) (state[clientId] ??= { metas: [] }).metas.push(meta);
  return state;
}

function presenceOf(connectionId: string, stored: string): { clientId: string; meta: PresenceMeta } {
  const { stamp, body } = parseStored<{ c: string; m: Record<string, unknown> }>(stored);
  return { clientId: body.c, meta: storedMeta(body.m, connectionId, stamp) };
}
