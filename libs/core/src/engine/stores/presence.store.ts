import type { PresenceMeta, PresenceState } from '@nest-realtime/protocol';

/** The outcome of a presence write for one clientId key: how many metas it held before and after. */
export interface PresenceWrite {
  clientId: string;
  connectionId: string;
  meta: Record<string, unknown>;
  countBefore: number;
  countAfter: number;
  /** The channel's presence version after this write (each write of a channel adds one); absent with a store that keeps none. */
  version?: number;
}

/** A channel's presence as read at one version (absent with a store that keeps none). */
export interface VersionedPresenceState {
  presences: PresenceState;
  version?: number;
}

/** Who is in a channel: one meta per connection, under its clientId, on every node. */
export interface PresenceStore {
  set(channel: string, clientId: string, connectionId: string, meta: Record<string, unknown>): Promise<PresenceWrite>;
  remove(channel: string, connectionId: string): Promise<PresenceWrite | undefined>;
  /** The presence of one connection in a channel, with the clientId it is kept under. */
  meta(channel: string, connectionId: string): Promise<{ clientId: string; meta: PresenceMeta } | undefined>;
  state(channel: string): Promise<PresenceState>;
  /** The state with the version it was read at, both read at once. Optional: without it, diffs and states carry no versions. */
  versionedState?(channel: string): Promise<VersionedPresenceState>;
  /** Presence entries whose connection is no longer a member of the channel. */
  orphans(): Promise<Array<{ channel: string; connectionId: string }>>;
}
