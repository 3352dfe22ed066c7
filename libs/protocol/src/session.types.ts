export interface HeartbeatSettings {
  /** ms between heartbeats. */
  interval: number;
  /** ms of silence after which the connection counts as dead. */
  timeout: number;
}

/** The welcome's `resume`: the token a later connection resumes this one with, within `ttl` ms of losing it. */
export interface ResumeGrant {
  token: string;
  ttl: number;
}

/** Where a channel that keeps history stands: the offset of the last message seen, in its epoch. */
export interface StreamPosition {
  offset: number;
  epoch: string;
}

/**
 * How a resume brought one scope of a channel's shared state up to date: the changes it missed, replayed
 * as `state:diff` frames, or a fresh `state:snapshot` (no position given, or past the change log).
 */
export type ResumedState = { replayed: number } | { snapshot: true };

/** How a resume restored one channel. */
export interface ResumedChannel {
  /** Messages replayed. */
  missed: number;
  /** Channels that keep history: where the client now stands. */
  offset?: number;
  epoch?: string;
  /** Channels with a shared state: per scope (the channel's own name for its own state), how it was brought up to date. */
  state?: Record<string, ResumedState>;
}

/** The result of `connection:resume`. */
export type ResumeResult =
  | { resumed: true; missed: number; channels: Record<string, ResumedChannel> }
  | { resumed: false; reason: string; channel?: string };

/** The first frame of every connection. */
export interface Welcome {
  connectionId: string;
  clientId: string;
  heartbeat: HeartbeatSettings;
  resume?: ResumeGrant;
}

/** The server's announcement of this connection's state (`connection:state`). */
export interface ServerState {
  state: string;
  previous: string | null;
  at: number;
  /** Why the server changed it, when it says (`timeout`: a state's timeout moved it). */
  reason?: string;
}

