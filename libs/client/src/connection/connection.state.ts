import type { RealtimeError } from '../error/realtime.error';
import type { TransportClose } from '../transport/transport.interface';

/**
 * - `connecting`: `connect()` was called and no connection is up yet (attempts and their waits included).
 * - `connected`: the welcome arrived; frames flow.
 * - `reconnecting`: a connection was lost unexpectedly; waiting, then trying again.
 * - `disconnected`: not connected and not trying: before `connect()`, after `disconnect()`, or after a
 *   close that must not be retried (401/403, 1008, 4001, 1000, attempts spent). `connect()` starts again.
 * - `closed`: `close()` was called; final.
 */
export type ClientState = 'connecting' | 'connected' | 'reconnecting' | 'disconnected' | 'closed';

export interface StateChange {
  state: ClientState;
  previous: ClientState;
  /** Why the connection was lost or the client stopped. */
  error?: RealtimeError;
  /** The close that caused the change, when a socket closed. */
  close?: TransportClose;
}

/** A connection attempt waits for its turn. */
export interface RetryScheduled {
  /** Attempts since the last connection, this one included. */
  attempt: number;
  /** ms until the attempt. */
  delay: number;
  close?: TransportClose;
  error?: RealtimeError;
}
