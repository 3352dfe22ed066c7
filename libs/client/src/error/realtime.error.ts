import { isErrorCode } from '@nest-realtime/protocol';
import type { ErrorBody, ErrorCode } from '@nest-realtime/protocol';
import { ClientMessages } from './client.messages';

/**
 * Codes of conditions the client finds by itself. The server's codes (`invalid`, `not_joined`,
 * `forbidden`, … docs/protocol.md, "Error codes") come as they are, typed by the protocol's `ErrorCode`;
 * the client also uses two of them for a refused upgrade: `unauthorized` (401, or no token) and
 * `forbidden` (403).
 */
export type ClientErrorCode =
  /** No reply within the request timeout. */
  | 'timeout'
  /** The send queue was full while disconnected. */
  | 'queue_full'
  /** The connection was lost, or `disconnect()` called, before the reply came; or there was no connection to use. */
  | 'disconnected'
  /** `close()` was called: the client is finished. */
  | 'closed'
  /** The token function threw or rejected (the client retries with backoff). */
  | 'token_failed'
  /** The server closed with 1008 (policy, such as expired credentials). */
  | 'policy'
  /** The application disconnected this client (close 4001). */
  | 'kicked'
  /** The server closed the connection for being idle (close 4003). */
  | 'idle'
  /** The server closed with 1000: it is done with this client. */
  | 'server_closed'
  /** `reconnect.maxAttempts` attempts in a row failed. */
  | 'gave_up'
  /** `leave()` was called while the join was pending. */
  | 'cancelled'
  /** A listener threw; the error is in `details`. */
  | 'listener_failed'
  /** The server broke the protocol (no welcome, a frame that is not JSON, an error without a code). */
  | 'protocol';

/** Every error the client reports: a server error (its code and message kept) or one of its own. */
export class RealtimeError extends Error {
  constructor(
    readonly code: ClientErrorCode | ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'RealtimeError';
  }

  static fromBody(body: ErrorBody | undefined): RealtimeError {
    if (!body || !isErrorCode(body.code)) return new RealtimeError('protocol', ClientMessages.badErrorBody(), body);
    return new RealtimeError(body.code, typeof body.message === 'string' ? body.message : body.code, body.details);
  }
}
