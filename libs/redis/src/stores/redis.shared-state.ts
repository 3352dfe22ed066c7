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
import { newEpoch } from '@nest-realtime/core/engine';
import { pipelineCall, type RedisConnection } from '../redis.connection';

const UNAVAILABLE: StateWriteOutcome = { ok: false, reason: 'unavailable' };

/**
 * Shared states live in Redis only (redis.scripts.ts lays out the keys). A write is one script that checks
 * the version, applies, logs the change and routes its `state:diff` frames to the buses of the nodes
 * holding members of the channel and of its followers (or connections of the group's clients), so every
 * member on every node gets each change once, in the order Redis ran the writes. While Redis is
 * unreachable a write is `unavailable`, a snapshot fails and a catch-up reads `unavailable`.
 */
export class RedisSharedState implements SharedStateStore {
  private readonly scripts: RedisConnection['scripts'];
  private readonly prefix: string;
  /** The followings asked of this node, channel → scopes: written back after Redis lost them. */
  private readonly follows = new Map<string, Set<string>>();

  constructor(
    private readonly redis: RedisConnection,
    private readonly metaTtl: number,
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
    if (status === 'ok') return { ok: true, version: Number(version), change: JSON.parse(String(json)) as StateChange };
    if (status === 'conflict') return { ok: false, reason: 'conflict', version: Number(version), value: json ? (JSON.parse(String(json)) as StateEntry).value : null };
    return { ok: false, reason: status as 'missing' | 'full' };
  }

  snapshot(target: StateTarget): Promise<StateSnapshotRead> {
    return this.redis.need('read a shared state', async () => {
      const reply = (await this.scripts.rtStateSnapshot(this.prefix, kindOf(target), target.name, newEpoch(), this.metaTtl)) as Array<string | number>;
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
        const reply = (await this.scripts.rtStateChangesSince(this.prefix, kindOf(target), target.name, revision, epoch)) as Array<string | number>;
        if (reply[0] !== 'ok') return { lost: reply[0] as 'epoch' | 'window' };
        return { changes: reply.slice(2).map((change) => JSON.parse(String(change)) as StateChange), revision: Number(reply[1]) };
      },
      () => ({ lost: 'unavailable' }),
    );
  }

  async follow(scope: string, channel: string): Promise<void> {
    let scopes = this.follows.get(channel);
    if (!scopes) this.follows.set(channel, (scopes = new Set()));
    scopes.add(scope);
    await this.redis.write('follow a state scope', () => this.scripts.rtStateFollow(this.prefix, scope, channel));
  }

  /** Kept in Redis while any node holds members of the channel (it follows again when it has some). */
  async unfollow(channel: string): Promise<void> {
    this.follows.delete(channel);
    await this.redis.read('unfollow state scopes', () => this.scripts.rtStateUnfollow(this.prefix, channel), () => undefined);
  }

  async expire(now: number): Promise<void> {
    await this.redis.read('expire shared state keys', () => this.scripts.rtStateExpire(this.prefix, now, newEpoch(), this.metaTtl), () => undefined);
  }

  /** Writes this node's followings back (Redis may have lost them); idempotent. */
  async writeBack(): Promise<void> {
    if (this.follows.size === 0) return;
    await this.redis.write('write state followings back', async () => {
      const pipeline = this.redis.commands.pipeline();
      for (const [channel, scopes] of this.follows) {
        for (const scope of scopes) pipelineCall(pipeline, 'rtStateFollow', this.prefix, scope, channel);
      }
      await this.redis.exec(pipeline);
    });
  }
}

function kindOf(target: StateTarget): 'c' | 'g' {
  return target.kind === 'group' ? 'g' : 'c';
}

/** An entry as the scripts store it: "<version>:" and its JSON. */
function parseStoredEntry(stored: string): StateEntry {
  return JSON.parse(stored.slice(stored.indexOf(':') + 1)) as StateEntry;
}
