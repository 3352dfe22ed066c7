import type { ErrorBody } from '@nest-realtime/protocol';

/**
 * Codes the client adds to the server's own (`invalid`, `not_joined`, `forbidden`, … see
 * docs/protocol.md, "Error codes").
 */
export type ClientErrorCode =
  /** No reply within the request timeout. */
  | 'timeout'
  /** The send queue was full while disconnected. */
  | 'queue_full'
  /** The connection was lost, or `disconnect()` called, before the reply came. */
  | 'disconnected'
  /** `close()` was called: the client is finished. */
  | 'closed'
  /** The token function threw or rejected (the client retries with backoff). */
  | 'token_failed'
  /** The upgrade was refused with 401, or the token function returned no token. */
  | 'unauthorized'
  /** The upgrade was refused with 403. */
  | 'forbidden'
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
  /** The server broke the protocol (no welcome, a frame that is not JSON). */
  | 'protocol';

/** Every error the client reports: a server error (its code and message kept) or one of its own. */
export class RealtimeError extends Error {
  constructor(
    readonly code: ClientErrorCode | (string & {}),
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'RealtimeError';
  }

  static fromBody(body: ErrorBody | undefined): RealtimeError {
    if (!body || typeof body.code !== 'string') return new RealtimeError('internal', 'The server answered with an error that has no code.');
    return new RealtimeError(body.code, typeof body.message === 'string' ? body.message : body.code, body.details);
  }
}
