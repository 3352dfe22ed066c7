import { BadRequestException, UnsupportedMediaTypeException } from '@nestjs/common';
import { isValidChannelName } from '../services/channel/channel.options';
import { AN_INTEGER } from '../realtime.messages';
import { BAD_PARAMETER, BODY_NOT_OBJECT, JSON_BODY_NEEDED, UNKNOWN_PARAMETER } from '../realtime.messages';

/** A page of a list: `limit` items from `offset`. */
export interface Paging {
  offset: number;
  limit: number;
}

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 500;
/** Longest `reason`: a close reason must fit in 123 bytes, and the library cuts longer ones. */
const MAX_REASON = 120;
const MAX_ID = 1024;

const bad = (name: string, expected: string, got: unknown) => new BadRequestException(BAD_PARAMETER(name, expected, got));

/**
 * The query, checked: only `allowed` names, each given once; unknown ones are refused rather than ignored,
 * so that a misspelt filter does not list everything.
 */
export function queryOf<K extends string>(query: unknown, allowed: readonly K[]): Partial<Record<K, string>> {
  const checked: Partial<Record<K, string>> = {};
  for (const [name, value] of Object.entries((query ?? {}) as Record<string, unknown>)) {
    if (!allowed.includes(name as K)) throw new BadRequestException(UNKNOWN_PARAMETER('query', name, allowed));
    if (typeof value !== 'string') throw bad(name, 'given once, as text', value);
    checked[name as K] = value;
  }
  return checked;
}

export function pagingOf(query: { offset?: string; limit?: string }): Paging {
  return {
    offset: integer('offset', query.offset, 0, 0),
    limit: integer('limit', query.limit, DEFAULT_LIMIT, 1, MAX_LIMIT),
  };
}

function integer(name: string, raw: string | undefined, fallback: number, min: number, max?: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value) || value < min || (max !== undefined && value > max)) {
    throw bad(name, AN_INTEGER(min, max), raw);
  }
  return value;
}

/** An optional filter or id given as text: 1 to 1024 characters. */
export function idOf(name: string, value: string | undefined): string | undefined {
  if (value !== undefined && (value.length === 0 || value.length > MAX_ID)) throw bad(name, `1 to ${MAX_ID} characters`, value);
  return value;
}

export function channelOf(value: unknown, name = 'channel'): string {
  if (!isValidChannelName(value)) throw bad(name, 'a channel name: 1 to 200 printable ASCII characters, no spaces', value);
  return value;
}

/**
 * The body of an action, checked: sent as JSON (a cross-site form cannot send that without the browser
 * asking first, so a guard of cookies is not enough to make a page of another site act), an object of
 * `allowed` fields.
 */
export function bodyOf<K extends string>(contentType: string | undefined, body: unknown, allowed: readonly K[]): Partial<Record<K, unknown>> {
  if (!/^application\/json\s*(;|$)/i.test(contentType ?? '')) throw new UnsupportedMediaTypeException(JSON_BODY_NEEDED(contentType));
  if (body === undefined) return {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new BadRequestException(BODY_NOT_OBJECT(body));
  for (const name of Object.keys(body)) {
    if (!allowed.includes(name as K)) throw new BadRequestException(UNKNOWN_PARAMETER('body', name, allowed));
  }
  return body as Partial<Record<K, unknown>>;
}

export function reasonOf(value: unknown, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || value.trim().length === 0 || value.length > MAX_REASON) throw bad('reason', `text of 1 to ${MAX_REASON} characters`, value);
  return value;
}

export function requiredIdOf(name: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_ID) throw bad(name, `a string of 1 to ${MAX_ID} characters`, value);
  return value;
}

/** Optional integer in a body (JSON number). */
export function bodyIntegerOf(name: string, value: unknown, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) throw bad(name, AN_INTEGER(min, max), value);
  return value;
}

/** What a publish sends: any JSON value but a missing one. */
export function payloadOf(value: unknown): unknown {
  if (value === undefined) throw bad('payload', 'any JSON value (null included)', value);
  return value;
}
