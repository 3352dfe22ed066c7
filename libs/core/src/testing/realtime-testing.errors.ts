import type { ErrorBody } from '@nest-realtime/protocol';

/** A failed `reply`, as `RealtimeTestClient.request` rejects with it: the server's `code`, `message` and `details`. */
export class RealtimeReplyError extends Error {
  readonly code: string;
  readonly details?: unknown;

  constructor(
    /** The event of the request that failed. */
    readonly event: string,
    error: ErrorBody,
  ) {
    super(`${event} failed with ${error.code}: ${error.message}`);
    this.name = 'RealtimeReplyError';
    this.code = error.code;
    this.details = error.details;
  }
}

/** The server refused the WebSocket upgrade: `status` is the HTTP status (401 unauthenticated, 403, 429…). */
export class UpgradeRefusedError extends Error {
  constructor(
    message: string,
    readonly status: number,
    /** The response's body: the server's reason. */
    readonly body: string,
  ) {
    super(message);
    this.name = 'UpgradeRefusedError';
  }
}
