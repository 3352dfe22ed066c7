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

export interface PresenceDiff<M extends object = Record<string, unknown>> {
  channel: string;
  joins: PresenceState<M>;
  leaves: PresenceState<M>;
  updates: PresenceState<M>;
}


/** `presence:state`: the whole presence of a channel, sent to a member once after its join (or resume). */
export interface PresenceStateMessage<M extends object = Record<string, unknown>> {
  channel: string;
  presences: PresenceState<M>;
}
