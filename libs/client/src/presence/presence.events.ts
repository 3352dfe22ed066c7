import type { PresenceMeta, PresenceStatusReason } from '@nest-realtime/protocol';

/** A clientId and its metas, one per connection (tab, device). */
export interface PresenceMember<M extends object = Record<string, unknown>> {
  clientId: string;
  metas: PresenceMeta<M>[];
}

export interface PresenceJoin<M extends object = Record<string, unknown>> {
  clientId: string;
  /** The connection that joined. */
  meta: PresenceMeta<M>;
  /** The clientId had no connection here before: it just arrived. */
  first: boolean;
  /** The clientId's metas after the join. */
  metas: PresenceMeta<M>[];
}

export interface PresenceLeave<M extends object = Record<string, unknown>> {
  clientId: string;
  /** The connection that left. */
  meta: PresenceMeta<M>;
  /** The clientId has no connection here any more: it is gone. */
  last: boolean;
  /** The clientId's metas after the leave. */
  metas: PresenceMeta<M>[];
}

export interface PresenceUpdate<M extends object = Record<string, unknown>> {
  clientId: string;
  meta: PresenceMeta<M>;
  previous: PresenceMeta<M>;
}

/** A connection's presence status changed, in a channel whose rule declares statuses. */
export interface PresenceStatus<M extends object = Record<string, unknown>> {
  clientId: string;
  connectionId: string;
  /** The status before. */
  from: string;
  /** The status now (also the meta's `status`). */
  to: string;
  /** `client` (set by a client), `timeout` (inactive for a while), `activity` (active again) or `server`. */
  reason: PresenceStatusReason;
  meta: PresenceMeta<M>;
}

export interface PresenceEvents<M extends object> {
  join: PresenceJoin<M>;
  leave: PresenceLeave<M>;
  update: PresenceUpdate<M>;
  /** After the `update` of the same connection, when its status changed. */
  status: PresenceStatus<M>;
  /** After every state or diff applied: the members now. */
  sync: PresenceMember<M>[];
}
