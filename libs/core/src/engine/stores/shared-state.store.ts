import type { StateEntry } from '@nest-realtime/protocol';

/**
 * Whose shared state: a channel's (or a scope's: a name in a channel hierarchy, which may have no member
 * of its own), delivered to the members of that channel and of the channels that follow it; or a group's,
 * delivered to the connections of the group's clients.
 */
export interface StateTarget {
  kind: 'channel' | 'group';
  name: string;
}

/** One write, as the service asks it of the engine (already validated and authorized). */
export type StateOperation =
  | { op: 'set'; key: string; value: unknown; by: string | null; at: number; ttl?: number; expected?: number }
  | { op: 'delete'; key: string; expected?: number };

/** How much each state keeps and allows. */
export interface StateLimits {
  /** Most keys one state holds: a set of a new key past it is refused (`full`). */
  maxKeys: number;
  /** How many of its last changes a state keeps for catch-up after a resume. */
  logSize: number;
}

/** One change of a state, as it goes out in `state:diff` (without the address). */
export interface StateChange {
  revision: number;
  set: Record<string, StateEntry>;
  removed: string[];
  /** Removed keys whose ttl ran out. */
  expired?: string[];
}

export type StateWriteOutcome =
  /** Applied: the change (already delivered to every member, on every node, in revision order). */
  | { ok: true; change: StateChange; version: number }
  /** Refused: the expected version is not the key's (current version 0 and value null: absent). */
  | { ok: false; reason: 'conflict'; version: number; value: unknown }
  /** Refused: a delete of a key that is not there. */
  | { ok: false; reason: 'missing' }
  /** Refused: the state holds `maxKeys` keys already. */
  | { ok: false; reason: 'full' }
  /** Not applied: the engine cannot reach its store now (Redis down); nothing was written or delivered. */
  | { ok: false; reason: 'unavailable' };

export interface StateSnapshotRead {
  entries: Record<string, StateEntry>;
  revision: number;
  epoch: string;
}

/** The changes after a revision, all of them in order, or why they cannot be had without a gap. */
export type StateChangesRead = { changes: StateChange[]; revision: number } | { lost: 'epoch' | 'window' | 'unavailable' };

/**
 * Shared key-value states of channels, scopes and groups, on every node. Each write is applied and
 * delivered in one step, so every member on every node sees a state's changes once and in the same order
 * (revision order): the engine writes the `state:diff` frame itself, to the members of the target channel
 * and of every channel that follows it (with `channel` set to the follower and `scope` to the target),
 * or, for a group, to every connection of its clients.
 */
export interface SharedStateStore {
  write(target: StateTarget, operation: StateOperation, limits: StateLimits): Promise<StateWriteOutcome>;
  /**
   * The whole state (a state never written reads as no keys at revision 0, in an epoch made for it). A key
   * whose ttl ran out stays until `expire` removes it. Rejects when the engine cannot reach its store.
   */
  snapshot(target: StateTarget): Promise<StateSnapshotRead>;
  /**
   * The changes after `revision` of `epoch`, or why not: `epoch` also for a revision above the state's
   * (the state was lost and rebuilt since), `window` when the log no longer holds them all, `unavailable`
   * when the engine cannot reach its store.
   */
  changesSince(target: StateTarget, revision: number, epoch: string): Promise<StateChangesRead>;
  /**
   * Lets a channel receive a scope's changes (hierarchy: a channel follows its ancestors). Idempotent;
   * followers whose channel is gone cost a lookup per write until `unfollow`. A cluster engine writes a
   * node's followings back when its store lost them.
   */
  follow(scope: string, channel: string): Promise<void>;
  /**
   * Stops every following of a channel (it is gone). A cluster engine keeps them while any node still
   * holds members of the channel: call it after the channel's last local member left.
   */
  unfollow(channel: string): Promise<void>;
  /**
   * Removes the keys whose ttl ran out by `now`, delivering each state's removal as one change (`expired`
   * set). Safe to call from every node at once: a key is removed, and its removal delivered, once.
   * The engine's `sweep` does not call it: the service runs it as often as ttls need.
   */
  expire(now: number): Promise<void>;
}
