/** The events the services stream and the hook decorators bind to. */

export interface ConnectionEvent {
  type: 'open' | 'close';
  connectionId: string;
  clientId: string;
  claims: Record<string, unknown>;
  /** The close code, for `close`. */
  code?: number;
  at: number;
}

export interface ConnectionStateChange {
  connectionId: string;
  clientId: string;
  from: string | null;
  to: string;
  at: number;
  reason?: string;
}

export interface ChannelEvent {
  type: 'join' | 'leave' | 'message';
  channel: string;
  /** The connection that joined, left or published; null for a publish by server code. */
  connectionId: string | null;
  clientId: string | null;
  /** The membership meta, for join and leave. */
  meta?: Record<string, unknown>;
  /** The published payload, for message. */
  payload?: unknown;
  /** The message's offset, for a message of a channel that keeps history. */
  offset?: number;
  at: number;
}

export interface PresenceEvent {
  type: 'join' | 'leave' | 'update';
  channel: string;
  clientId: string;
  connectionId: string;
  meta: Record<string, unknown>;
  /** The clientId's first connection in the channel (join) or its last (leave). */
  first?: boolean;
  last?: boolean;
  at: number;
}

export interface DirectMessageEvent {
  from: string | null;
  to: string;
  payload: unknown;
  delivered: number;
  at: number;
}
