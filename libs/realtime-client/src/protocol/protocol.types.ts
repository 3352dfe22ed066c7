/** One frame of the JSON encoding: `{event, data?, ref?}` (docs/protocol.md, "Frames"). */
export interface Frame<D = unknown> {
  event: string;
  data?: D;
  ref?: string;
}

/** What the server says went wrong: in a failed `reply` and in an `error` frame. */
export interface ErrorBody {
  code: string;
  message: string;
  details?: unknown;
  /** The event of the frame that failed (error frames only). */
  event?: string;
}

export type ReplyData<R = unknown> = { ok: true; result: R } | { ok: false; error: ErrorBody };

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
}

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

export interface ChannelMessage<P = unknown> {
  channel: string;
  /** The publisher's clientId; null when server code published. */
  from: string | null;
  payload: P;
  at: number;
  /** In a channel that keeps history: the message's offset, in `epoch`. */
  offset?: number;
  epoch?: string;
}

export interface DirectMessage<P = unknown> {
  from: string | null;
  payload: P;
  at: number;
}

export interface JoinResult<M extends object = Record<string, unknown>> {
  channel: string;
  /**
   * The full presence state, in channels that track presence, when the join asked for it in the reply.
   * This client does not: the channel's `presence` is kept from `presence:state` instead.
   */
  presence?: PresenceState<M>;
  /** In a channel that keeps history: the offset of its last message when the join was made, in `epoch`. */
  offset?: number;
  epoch?: string;
}

export interface DirectResult {
  to: string;
  /** How many connections of `to` got the message. */
  delivered: number;
}
