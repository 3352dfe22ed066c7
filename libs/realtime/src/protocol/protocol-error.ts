/** Error codes of the protocol; each is documented in docs/protocol.md. */
export type ErrorCode =
  | 'bad_frame'
  | 'unknown_event'
  | 'invalid'
  | 'unauthorized'
  | 'forbidden'
  | 'not_joined'
  | 'not_found'
  | 'rate_limited'
  | 'too_large'
  | 'limit'
  | 'internal'
  /** An application handler refused the frame (a `WsException`). */
  | 'rejected';

export interface ErrorBody {
  code: ErrorCode;
  message: string;
  details?: unknown;
}

/**
 * An error a client may see: thrown by the library's services and by application handlers, it becomes
 * an `error` frame or a failed `reply`.
 */
export class RealtimeException extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'RealtimeException';
  }

  toBody(): ErrorBody {
    const body: ErrorBody = { code: this.code, message: this.message };
    if (this.details !== undefined) body.details = this.details;
    return body;
  }
}

/** A field that failed validation: the `details` of an `invalid` error are a list of these. */
export interface FieldError {
  field: string;
  message: string;
}

export function invalid(message: string, details: FieldError[]): RealtimeException {
  return new RealtimeException('invalid', message, details);
}
