import type { PresenceMeta } from '@nest-realtime/protocol';

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

export interface PresenceEvents<M extends object> {
  join: PresenceJoin<M>;
  leave: PresenceLeave<M>;
  update: PresenceUpdate<M>;
  /** After every state or diff applied: the members now. */
  sync: PresenceMember<M>[];
}
