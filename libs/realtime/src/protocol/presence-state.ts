/** One connection's presence in a channel: the application's meta plus the fields the server adds. */
export interface PresenceMeta {
  connectionId: string;
  onlineAt: number;
  [key: string]: unknown;
}

/** Presence of one clientId; `first`/`last` mark, in a diff, its first join and its last leave. */
export interface PresenceEntry {
  metas: PresenceMeta[];
  first?: true;
  last?: true;
}

export type PresenceState = Record<string, PresenceEntry>;

export interface PresenceDiff {
  channel: string;
  joins: PresenceState;
  leaves: PresenceState;
  updates: PresenceState;
}
