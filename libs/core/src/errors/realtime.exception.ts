import type { ErrorBody, ErrorCode } from '@nest-realtime/protocol';

/**
 * An error a client may see: thrown by the library's services and by application handlers, it becomes
 * an `error` frame or a failed `reply`. `code` is one of the protocol's or the application's own
 * (`room_full`, see `isErrorCode`); a malformed one reaches the client as `rejected`, and `internal`
 * never carries its message or details.
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
