import type { PresenceState } from './presence.types';

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

/** `channel:kicked`: server code removed this connection from a channel; the client must not rejoin it by itself. */
export interface ChannelKicked {
  channel: string;
  reason?: string;
}

/**
 * Why messages of a channel may have been missed: `no_history` (the channel keeps none, so they cannot be
 * sent again), `epoch` (its history was lost or reset), `window` (some were trimmed by size or age),
 * `unavailable` (the history could not be read).
 */
export type ChannelGapReason = 'no_history' | 'epoch' | 'window' | 'unavailable';

/**
 * `channel:gap`: messages of the channel may not have reached this connection (the server's node lost its
 * link to the others for a while) and could not be sent again. A client that needs them reads them again
 * its own way (fetches the current state, or rejoins).
 */
export interface ChannelGap {
  channel: string;
  reason: ChannelGapReason;
}

/** The result of `connection:reauth`: the connection's new expiry (epoch ms), or null for none. */
export interface ReauthResult {
  expiresAt: number | null;
}
