/** The protocol's own error codes; each is documented in docs/protocol.md, "Error codes". */
export const ERROR_CODES = [
  'bad_frame',
  'unknown_event',
  'invalid',
  'unauthorized',
  'forbidden',
  'not_joined',
  'not_found',
  'rate_limited',
  'too_large',
  'limit',
  /** A shared-state write named a `version` that is not the key's current one (`details: {version, value}`). */
  'conflict',
  'internal',
  /** An application handler refused the frame (a `WsException` without a code of its own). */
  'rejected',
] as const;

export type ProtocolErrorCode = (typeof ERROR_CODES)[number];

/**
 * A code an error may carry: one of the protocol's, or an application's own (`room_full`): lower-case
 * letters, digits and `_`, starting with a letter, at most 64 characters (`isErrorCode`).
 */
export type ErrorCode = ProtocolErrorCode | (string & {});

const ERROR_CODE_SHAPE = /^[a-z][a-z0-9_]{0,63}$/;

/** Whether a value is a code an error frame may carry (the protocol's or a well-formed application code). */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && ERROR_CODE_SHAPE.test(value);
}
