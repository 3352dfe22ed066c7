import { createHash } from 'crypto';
import { safeEqual, sign } from '../auth/pusher-signature';
import { AUTH_FAILED } from './pusher-http.messages';

/** How far `auth_timestamp` may be from the server's clock, either way (Pusher's window). */
export const MAX_CLOCK_SKEW_SECONDS = 600;

/** The query parameters every signed request carries besides its own. */
export const AUTH_PARAMS = ['auth_key', 'auth_timestamp', 'auth_version', 'auth_signature'] as const;

/** What a signed request is checked against: the app's credentials. */
export interface SigningApp {
  key: string;
  secret: string;
}

/** A request as it arrived: the method, the path without its query, the decoded query, the raw body. */
export interface SignedRequest {
  method: string;
  path: string;
  query: Readonly<Record<string, string>>;
  /** The body's bytes as they were sent; undefined or empty for a request without a body. */
  body?: Buffer;
}

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

export const md5Hex = (body: Buffer | string): string => createHash('md5').update(body).digest('hex');

/** `key=value` pairs sorted by key and joined with `&`, without `auth_signature`: the signed form of a query. */
export function canonicalQuery(query: Readonly<Record<string, string>>): string {
  return Object.keys(query)
    .filter((key) => key !== 'auth_signature')
    .sort()
    .map((key) => `${key}=${query[key]}`)
    .join('&');
}

/** The string a request's `auth_signature` signs: `METHOD\nPATH\nCANONICAL_QUERY`. */
export function stringToSign(method: string, path: string, query: Readonly<Record<string, string>>): string {
  return `${method.toUpperCase()}\n${path}\n${canonicalQuery(query)}`;
}

/** The `auth_signature` of a request (what the server SDKs send). */
export function signRequest(secret: string, method: string, path: string, query: Readonly<Record<string, string>>): string {
  return sign(secret, stringToSign(method, path, query));
}

/**
 * Checks a request of the HTTP API the way Pusher does: the app's `auth_key`, `auth_version` 1.0, an
 * `auth_timestamp` within 600 s of `nowMs`, a `body_md5` of the raw body when there is one, and the
 * `auth_signature` (compared in constant time). The first failure is the reason.
 */
export function verifySignedRequest(request: SignedRequest, app: SigningApp, nowMs = Date.now()): SignatureCheck {
  const { query } = request;
  const missing = AUTH_PARAMS.filter((name) => !query[name]);
  if (missing.length > 0) return { ok: false, reason: AUTH_FAILED.missing(missing) };
  if (!safeEqual(query.auth_key, app.key)) return { ok: false, reason: AUTH_FAILED.key };
  if (query.auth_version !== '1.0') return { ok: false, reason: AUTH_FAILED.version(query.auth_version) };
  const timestamp = /^\d{1,15}$/.test(query.auth_timestamp) ? Number(query.auth_timestamp) : NaN;
  const skew = Math.abs(nowMs / 1000 - timestamp);
  if (!(skew <= MAX_CLOCK_SKEW_SECONDS)) return { ok: false, reason: AUTH_FAILED.timestamp(query.auth_timestamp, Math.floor(nowMs / 1000)) };
  const body = request.body && request.body.length > 0 ? request.body : undefined;
  if (body) {
    if (!query.body_md5) return { ok: false, reason: AUTH_FAILED.bodyMd5Missing };
    if (!safeEqual(query.body_md5.toLowerCase(), md5Hex(body))) return { ok: false, reason: AUTH_FAILED.bodyMd5 };
  }
  const expected = signRequest(app.secret, request.method, request.path, query);
  if (!safeEqual(query.auth_signature.toLowerCase(), expected)) return { ok: false, reason: AUTH_FAILED.signature };
  return { ok: true };
}
