/** One key of a shared state: its value, its version (1 when created, +1 on each write), who wrote it and when. */
export interface StateEntry<V = unknown> {
  value: V;
  version: number;
  /** The writer's clientId; null when server code wrote it. */
  by: string | null;
  /** When it was written (epoch ms). */
  at: number;
  /** When it expires (epoch ms), for a key written with a `ttl`. */
  expiresAt?: number;
}

/**
 * Where a shared state belongs: a channel's own (`channel` alone), an ancestor scope a channel inherits
 * (`channel` and `scope`, see "Shared state" in docs/protocol.md), or a group's (`group`).
 */
export interface StateAddress {
  /** The channel whose member receives this. Absent for a group's state. */
  channel?: string;
  /** The scope the entries belong to, when it is not `channel` itself: an ancestor of it. */
  scope?: string;
  /** The group whose state this is. */
  group?: string;
}

/**
 * `state:snapshot`: a whole shared state, sent to a member after its join (after its `presence:state`),
 * after a resume past the change log, and to a group's member when it joins the group or connects.
 * `revision` counts the writes of the scope (in `epoch`, which changes when the state is lost or reset):
 * a `state:diff` applies when its revision is above the snapshot's.
 */
export interface StateSnapshot<V = unknown> extends StateAddress {
  entries: Record<string, StateEntry<V>>;
  revision: number;
  epoch: string;
}

/**
 * `state:diff`: one write (or one expiry sweep) of a shared state, in order: the keys set, with their new
 * entries, and the keys removed. `expired` lists the removed keys whose `ttl` ran out.
 */
export interface StateDiff<V = unknown> extends StateAddress {
  revision: number;
  set: Record<string, StateEntry<V>>;
  removed: string[];
  /** Removed keys that expired (a subset of `removed`). */
  expired?: string[];
}

/** `state:set` `{channel, key, value, version?, ttl?}`: writes a key of a channel's shared state. */
export interface StateSetRequest<V = unknown> {
  channel: string;
  key: string;
  value: V;
  /** Compare-and-set: the write applies only if the key's version is this one (0: the key must not exist). */
  version?: number;
  /** ms after which the key is removed (and members told). */
  ttl?: number;
}

/** `state:delete` `{channel, key, version?}`. */
export interface StateDeleteRequest {
  channel: string;
  key: string;
  /** Compare-and-delete: applies only if the key's version is this one. */
  version?: number;
}

/** The result of `state:set` and `state:delete`: the key's version after it (0 once deleted) and the scope's revision. */
export interface StateWriteResult {
  channel: string;
  key: string;
  version: number;
  revision: number;
}

/** The `details` of a `conflict` error: the key's current version (0: absent) and value (null: absent). */
export interface StateConflict<V = unknown> {
  version: number;
  value: V | null;
}

/** Where a client stands in a state: the revision of the last change it applied, in `epoch`. */
export interface StatePosition {
  revision: number;
  epoch: string;
}

/**
 * The `state` of `connection:resume`: for each channel, for each scope whose state the client holds (the
 * channel itself, and its ancestors when it inherits), where the client stands. The server sends the
 * changes after it as `state:diff` frames, or a fresh `state:snapshot` when they are no longer all kept.
 */
export type ResumeStatePositions = Record<string, Record<string, StatePosition>>;
