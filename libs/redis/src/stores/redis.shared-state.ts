import { ReplyError } from 'ioredis';
import type { StateEntry } from '@nest-realtime/protocol';
import type {
  SharedStateStore,
  StateChange,
  StateChangesRead,
  StateLimits,
  StateOperation,
  StateSnapshotRead,
  StateTarget,
  StateWriteOutcome,
} from '@nest-realtime/core/engine';
import { newEpoch, STATE_DIFF_PREFIX } from '@nest-realtime/core/engine';
import type { BusRecovery } from '../bus.recovery';
import type { ScopeFollowers } from '../redis.bus';
import type { ChannelSubscriptions } from '../channel.subscriptions';
import type { NodeRoutes } from '../node.routes';
import type { RedisConnection } from '../redis.connection';

const UNAVAILABLE: StateWriteOutcome = { ok: false, reason: 'unavailable' };

/**
 * Shared states live in Redis only (redis.scripts.ts lays out the keys). A write is one script that checks
 * the version, applies, logs the change and publishes it on the channel's bus (as a `state:diff` frame for
 * its members, and once more for the channels that follow it, whose nodes subscribed to the scope's bus
 * and build their frames), so every member on every node gets each change once, in the order Redis ran
 * the writes. A group's change goes to the nodes of the group's clients: from the script on one Redis,
 * from here on a cluster. While Redis is unreachable a write is `unavailable`, a snapshot fails and a
 * catch-up reads `unavailable`.
 */
export class RedisSharedState implements SharedStateStore, ScopeFollowers {
  private readonly scripts: RedisConnection['scripts'];
  private readonly prefix: string;
  /** The followings asked of this node, channel → scopes: written back after Redis lost them. */
  private readonly follows = new Map<string, Set<string>>();

  constructor(
    private readonly redis: RedisConnection,
    private readonly metaTtl: number,
    private readonly subscriptions: ChannelSubscriptions,
    private readonly recovery: BusRecovery,
    private readonly routes: NodeRoutes,
  ) {
    this.scripts = redis.scripts;
    this.prefix = redis.prefix;
  }

  async write(target: StateTarget, operation: StateOperation, limits: StateLimits): Promise<StateWriteOutcome> {
    if (!this.redis.up) return UNAVAILABLE;
    const set = operation.op === 'set' ? operation : undefined;
    let reply: Array<string | number>;
    try {
      reply = (await this.scripts.rtStateWrite(
        this.redis.keys.state(kindOf(target), target.name),
        this.prefix,
        kindOf(target),
        target.name,
        operation.op,
        operation.key,
        JSON.stringify(operation.key),
        operation.expected ?? '',
        limits.maxKeys,
        limits.logSize,
        newEpoch(),
        this.metaTtl,
        set ? JSON.stringify(set.value ?? null) : '',
        set ? JSON.stringify(set.by) : '',
        set ? set.at : '',
        set?.ttl !== undefined ? set.at + set.ttl : '',
      )) as Array<string | number>;
    } catch (error) {
      // A script error is a bug to surface, not an outage.
      if (error instanceof ReplyError) throw error;
      this.redis.failed('write a shared state', error);
      return UNAVAILABLE;
    }
    const [status, version, json] = reply;
    if (status === 'ok') {
      if (set?.ttl !== undefined) await this.expiresAt(target, set.at + set.ttl);
      await this.routeGroupChange(target, String(json));
      return { ok: true, version: Number(version), change: JSON.parse(String(json)) as StateChange };
    }
    if (status === 'conflict') return { ok: false, reason: 'conflict', version: Number(version), value: json ? (JSON.parse(String(json)) as StateEntry).value : null };
    return { ok: false, reason: status as 'missing' | 'full' };
  }

  snapshot(target: StateTarget): Promise<StateSnapshotRead> {
    return this.redis.need('read a shared state', async () => {
      const reply = (await this.scripts.rtStateSnapshot(this.redis.keys.state(kindOf(target), target.name), this.prefix, kindOf(target), target.name, newEpoch(), this.metaTtl)) as Array<string | number>;
      const entries: Record<string, StateEntry> = {};
      for (let i = 2; i < reply.length; i += 2) entries[reply[i]] = parseStoredEntry(String(reply[i + 1]));
      return { entries, revision: Number(reply[0]), epoch: String(reply[1]) };
    });
  }

  /** A revision above the state's reads as `epoch`: the state it counted is gone. */
  changesSince(target: StateTarget, revision: number, epoch: string): Promise<StateChangesRead> {
    return this.redis.read<StateChangesRead>(
      'read shared state changes',
      async () => {
        const reply = (await this.scripts.rtStateChangesSince(this.redis.keys.state(kindOf(target), target.name), this.prefix, kindOf(target), target.name, revision, epoch)) as Array<string | number>;
        if (reply[0] !== 'ok') return { lost: reply[0] as 'epoch' | 'window' };
        return { changes: reply.slice(2).map((change) => JSON.parse(String(change)) as StateChange), revision: Number(reply[1]) };
      },
      () => ({ lost: 'unavailable' }),
    );
  }

  /** Subscribes to the scope's bus first: the changes written after the snapshot that follows reach this node. */
  async follow(scope: string, channel: string): Promise<void> {
    let scopes = this.follows.get(channel);
    if (!scopes) this.follows.set(channel, (scopes = new Set()));
    scopes.add(scope);
    await this.redis.write('follow a state scope', async () => {
      await this.subscriptions.hold(scope);
      await this.writeFollow(scope, channel);
    });
  }

  /** Kept in Redis while any node holds members of the channel (it follows again when it has some). */
  async unfollow(channel: string): Promise<void> {
    const scopes = this.follows.get(channel) ?? new Set<string>();
    this.follows.delete(channel);
    await Promise.all([...scopes].map((scope) => this.subscriptions.settle(scope).catch(() => undefined)));
    const { keys } = this.redis;
    await this.redis.read(
      'unfollow state scopes',
      async () => {
        const left = (await this.scripts.rtStateUnfollow(keys.state('c', channel), this.prefix, channel)) as string[] | null;
        await Promise.all((left ?? []).map((scope) => this.redis.commands.srem(keys.channel('state-followers', scope), channel)));
      },
      () => undefined,
    );
  }

  /**
   * Removes the keys due from every state that has some. A state leaves the index before its keys are
   * expired and comes back with the soonest expiry left, so a write meanwhile (which lowers its entry) is
   * not lost; two nodes expiring the same state at once do it once.
   */
  async expire(now: number): Promise<void> {
    const { keys } = this.redis;
    await this.redis.read(
      'expire shared state keys',
      async () => {
        const due = await this.redis.commands.zrangebyscore(keys.stateExpiring, '-inf', now);
        await Promise.all(
          due.map(async (entry) => {
            const target: StateTarget = { kind: entry.startsWith('g:') ? 'group' : 'channel', name: entry.slice(2) };
            await this.redis.commands.zrem(keys.stateExpiring, entry);
            const [changed, soonest, change] = (await this.scripts.rtStateExpire(
              keys.state(kindOf(target), target.name),
              this.prefix,
              kindOf(target),
              target.name,
              now,
              newEpoch(),
              this.metaTtl,
            )) as [number, string, string];
            if (soonest !== '') await this.expiresAt(target, Number(soonest));
            if (Number(changed) === 1) await this.routeGroupChange(target, change);
          }),
        );
      },
      () => undefined,
    );
  }

  /** Writes this node's followings back (Redis may have lost them); idempotent. */
  async writeBack(): Promise<void> {
    if (this.follows.size === 0) return;
    await this.redis.write('write state followings back', async () => {
      const writes: Array<Promise<void>> = [];
      for (const [channel, scopes] of this.follows) for (const scope of scopes) writes.push(this.writeFollow(scope, channel));
      await Promise.all(writes);
    });
  }

  /** A scope's change from its bus: one `state:diff` frame for each channel of this node that follows it. */
  scopeChanged(scope: string, change: Buffer): void {
    const fields = change.toString().slice(1);
    for (const [channel, scopes] of this.follows) {
      if (channel === scope || !scopes.has(scope)) continue;
      const frame = `${STATE_DIFF_PREFIX}{"channel":${JSON.stringify(channel)},"scope":${JSON.stringify(scope)},${fields}}`;
      this.recovery.deliver(channel, Buffer.from(frame));
    }
  }

  /** Whether a channel of this node follows the scope (so it needs the scope's bus). */
  followed(scope: string): boolean {
    for (const scopes of this.follows.values()) if (scopes.has(scope)) return true;
    return false;
  }

  private async writeFollow(scope: string, channel: string): Promise<void> {
    const { keys, commands } = this.redis;
    await Promise.all([commands.sadd(keys.channel('state-followers', scope), channel), commands.sadd(keys.channel('state-follows', channel), scope)]);
  }

  /** Indexes when a state's next key expires (lowering its entry only). */
  private async expiresAt(target: StateTarget, at: number): Promise<void> {
    await this.redis.commands.zadd(this.redis.keys.stateExpiring, 'LT', at, `${kindOf(target)}:${target.name}`);
  }

  /** On a cluster, a group's change goes from here to the nodes of the group's clients (the script cannot reach their slots). */
  private async routeGroupChange(target: StateTarget, change: string): Promise<void> {
    if (target.kind !== 'group' || !this.redis.sharded) return;
    const clients = await this.redis.commands.smembers(this.redis.keys.group(target.name));
    const frame = Buffer.from(`${STATE_DIFF_PREFIX}{"group":${JSON.stringify(target.name)},${change.slice(1)}}`);
    await Promise.all(clients.map((client) => this.routes.toClient(client, frame)));
  }
}

function kindOf(target: StateTarget): 'c' | 'g' {
  return target.kind === 'group' ? 'g' : 'c';
}

/** An entry as the scripts store it: "<version>:" and its JSON. */
function parseStoredEntry(stored: string): StateEntry {
  return JSON.parse(stored.slice(stored.indexOf(':') + 1)) as StateEntry;
}
