/** One connection's presence in a channel: the application's meta plus the fields the server adds. */
export type PresenceMeta<M extends object = Record<string, unknown>> = M & { connectionId: string; onlineAt: number };

export interface PresenceEntry<M extends object = Record<string, unknown>> {
  metas: PresenceMeta<M>[];
  /** In a diff: this clientId's first join. */
  first?: true;
  /** In a diff: this clientId's last leave. */
  last?: true;
}

export type PresenceState<M extends object = Record<string, unknown>> = Record<string, PresenceEntry<M>>;

/** Why a member's presence status changed. */
export type PresenceStatusReason =
  /** The client set it (`presence:update` with a `status`). */
  | 'client'
  /** A timeout of the channel's rule moved it (no activity from the connection for that long). */
  | 'timeout'
  /** The connection was active again after a timeout had moved it: back to the initial status. */
  | 'activity'
  /** Server code set it (`PresenceService.setStatus`). */
  | 'server';

/** One connection's status change, in a diff: from which status to which, and why. */
export interface PresenceStatusChange {
  clientId: string;
  from: string;
  to: string;
  reason: PresenceStatusReason;
}

export interface PresenceDiff<M extends object = Record<string, unknown>> {
  channel: string;
  joins: PresenceState<M>;
  leaves: PresenceState<M>;
  updates: PresenceState<M>;
  /**
   * In channels whose rule declares presence statuses: the status changes in this diff, by connectionId
   * (the connection's meta, with its new `status`, is in `updates`). Absent when none changed.
   */
  statuses?: Record<string, PresenceStatusChange>;
}


/** `presence:state`: the whole presence of a channel, sent to a member once after its join (or resume). */
export interface PresenceStateMessage<M extends object = Record<string, unknown>> {
  channel: string;
  presences: PresenceState<M>;
  /**
   * The channel's presence version this state was read at: the engine counts every presence change of a
   * channel, and the diffs a member gets after its state hold only changes newer than it. Absent with an
   * engine that keeps no versions.
   */
  version?: number;
}

/**
 * How a member gets its channel's presence (`presenceFormat` of `channel:join`): `full`, the default,
 * as `PresenceStateMessage` and `PresenceDiff`; `compact` as `CompactPresenceState` and
 * `CompactPresenceDiff`, the same content in about two thirds of the bytes (no field names repeated per
 * member), which clients also parse in about half the time. The client SDK asks for `compact`.
 */
export type PresenceFormat = 'full' | 'compact';

/** A member in the compact form: its meta without `connectionId` and `onlineAt`, which come before it. */
export type CompactPresenceMember<M extends object = Record<string, unknown>> = [clientId: string, connectionId: string, onlineAt: number, meta: M];

/** A join in a compact diff: `1` at the end on the first join of a clientId this diff brings. */
export type CompactPresenceJoin<M extends object = Record<string, unknown>> =
  | CompactPresenceMember<M>
  | [clientId: string, connectionId: string, onlineAt: number, meta: M, first: 1];

/** A leave in a compact diff (the member's meta is the one it had): `1` at the end on a clientId's last leave. */
export type CompactPresenceLeave = [clientId: string, connectionId: string] | [clientId: string, connectionId: string, last: 1];

/** `presence:state` in the compact form: every member, in join order. */
export interface CompactPresenceState<M extends object = Record<string, unknown>> {
  channel: string;
  presences: CompactPresenceMember<M>[];
  version?: number;
}

/** `presence:diff` in the compact form; `statuses` as in `PresenceDiff`. */
export interface CompactPresenceDiff<M extends object = Record<string, unknown>> {
  channel: string;
  joins: CompactPresenceJoin<M>[];
  leaves: CompactPresenceLeave[];
  updates: CompactPresenceMember<M>[];
  statuses?: Record<string, PresenceStatusChange>;
}
