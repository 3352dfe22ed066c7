/** The events the services stream and the hook decorators bind to. */

import type { PresenceStatusReason } from '@nest-realtime/protocol';

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

/**
 * A member joined, left, replaced its meta (`update`), or changed its presence status (`status`, in
 * channels whose rule declares statuses: `from`, `to` and `reason` say how; `meta` carries the new status).
 */
export interface PresenceEvent {
  type: 'join' | 'leave' | 'update' | 'status';
  channel: string;
  clientId: string;
  connectionId: string;
  meta: Record<string, unknown>;
  /** The clientId's first connection in the channel (join) or its last (leave). */
  first?: boolean;
  last?: boolean;
  /** For `status`: the status before. */
  from?: string;
  /** For `status`: the status now. */
  to?: string;
  /** For `status`: why it changed. */
  reason?: PresenceStatusReason;
  at: number;
}

export interface DirectMessageEvent {
  from: string | null;
  to: string;
  payload: unknown;
  delivered: number;
  at: number;
}
