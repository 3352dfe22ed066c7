import type { ErrorCode } from './error-codes';

/** One frame of the JSON encoding: `{event, data?, ref?}` (docs/protocol.md, "Frames"). */
export interface Frame<D = unknown> {
  event: string;
  data?: D;
  ref?: string;
}

/** What the server says went wrong: in a failed `reply` and in an `error` frame. */
export interface ErrorBody {
  code: ErrorCode;
  message: string;
  details?: unknown;
  /** The event of the frame that failed (error frames only). */
  event?: string;
}

export type ReplyData<R = unknown> = { ok: true; result: R } | { ok: false; error: ErrorBody };

