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

/** The result of `connection:resume`. */
export type ResumeResult =
  | { resumed: true; missed: number; channels: Record<string, { missed: number; offset?: number; epoch?: string }> }
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

