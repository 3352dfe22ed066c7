import { HttpException } from '@nestjs/common';
import { WsException } from '@nestjs/websockets';
import type { ErrorBody, ErrorCode } from '@nest-realtime/protocol';
import { FieldError, RealtimeException } from '../../errors/realtime.exception';

const CODES = new Set<ErrorCode>([
  'bad_frame', 'unknown_event', 'invalid', 'unauthorized', 'forbidden', 'not_joined',
  'not_found', 'rate_limited', 'too_large', 'limit', 'internal', 'rejected',
]);

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
  if (status >= 500) return { code: 'internal', message: 'Internal server error' };
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
    const body: ErrorBody = {
      code: CODES.has(code as ErrorCode) ? (code as ErrorCode) : 'rejected',
      message: typeof message === 'string' ? message : exception.message,
    };
    if (details !== undefined) body.details = details;
    return body;
  }
  return { code: 'rejected', message: String(error) };
}

/**
 * What a client sees of an exception: the library's own errors as they are, Nest's HTTP exceptions by
 * status (a ValidationPipe's 400 becomes `invalid` with the fields), a `WsException` as `rejected`
 * (or its own `code`), anything else as `internal` without its details.
 */
export function toErrorBody(exception: unknown): { body: ErrorBody; unexpected: boolean } {
  if (exception instanceof RealtimeException) return { body: exception.toBody(), unexpected: false };
  if (exception instanceof WsException) return { body: fromWs(exception), unexpected: false };
  if (exception instanceof HttpException) return { body: fromHttp(exception), unexpected: exception.getStatus() >= 500 };
  return { body: { code: 'internal', message: 'Internal server error' }, unexpected: true };
}
