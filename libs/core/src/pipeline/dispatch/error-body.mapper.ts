import { HttpException } from '@nestjs/common';
import { FORBIDDEN_MESSAGE } from '@nestjs/core/guards/constants';
import { WsException } from '@nestjs/websockets';
import { isErrorCode } from '@nest-realtime/protocol';
import type { ErrorBody, ErrorCode } from '@nest-realtime/protocol';
import { FieldError, RealtimeException } from '../../errors/realtime.exception';

/** The one body of every `internal`: a new object each time, as callers may add to it. */
function internal(): ErrorBody {
  return { code: 'internal', message: 'Internal server error' };
}

const BY_STATUS: Record<number, ErrorCode> = { 401: 'unauthorized', 403: 'forbidden', 404: 'not_found', 413: 'too_large', 429: 'rate_limited' };

/**
 * class-validator messages start with the property path ("name must be a string"), after an "each value
 * in " prefix for `{ each: true }` rules ("each value in tags must be a string").
 */
function fieldOf(message: string): FieldError {
  return { field: message.replace(/^each value in (nested property )?/, '').split(' ', 1)[0], message };
}

function fromHttp(exception: HttpException): ErrorBody {
  const status = exception.getStatus();
  const response = exception.getResponse();
  const messages = typeof response === 'object' && response !== null ? (response as { message?: unknown }).message : response;
  if (status >= 500) return internal();
  const code = BY_STATUS[status] ?? 'invalid';
  if (Array.isArray(messages)) {
    return { code, message: 'Validation failed', details: messages.map((message) => fieldOf(String(message))) };
  }
  return { code, message: typeof messages === 'string' ? messages : exception.message };
}

function fromWs(exception: WsException): ErrorBody {
  const error = exception.getError();
  if (typeof error === 'object' && error !== null) {
    const { code, message, details } = error as Record<string, unknown>;
    const body: ErrorBody = { code: isErrorCode(code) ? code : 'rejected', message: typeof message === 'string' ? message : exception.message };
    if (details !== undefined) body.details = details;
    return body;
  }
  // What Nest's ws context throws when a guard returns false.
  if (error === FORBIDDEN_MESSAGE) return { code: 'forbidden', message: FORBIDDEN_MESSAGE };
  return { code: 'rejected', message: String(error) };
}

function fromRealtime(exception: RealtimeException): ErrorBody {
  const body = exception.toBody();
  return isErrorCode(body.code) ? body : { ...body, code: 'rejected' };
}

/**
 * What a client sees of an exception: a `RealtimeException` or a `WsException` with its own `code`
 * (`room_full`, when it is a well-formed code; `rejected` otherwise), Nest's HTTP exceptions by status
 * (a ValidationPipe's 400 becomes `invalid` with the fields), a guard's refusal as `forbidden`, any other
 * `WsException` as `rejected`, anything else as `internal`. An `internal` never carries the message or
 * details it was thrown with; it is flagged unexpected so that they are logged.
 */
export function toErrorBody(exception: unknown): { body: ErrorBody; unexpected: boolean } {
  let body: ErrorBody | undefined;
  if (exception instanceof RealtimeException) body = fromRealtime(exception);
  else if (exception instanceof WsException) body = fromWs(exception);
  else if (exception instanceof HttpException) body = fromHttp(exception);
  if (!body || body.code === 'internal') return { body: internal(), unexpected: true };
  return { body, unexpected: false };
}
