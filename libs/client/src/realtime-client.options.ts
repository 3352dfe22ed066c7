import { RECONNECT_DEFAULTS, ReconnectOptions, ResolvedReconnectOptions } from './backoff/backoff.options';
import type { TokenProvider } from './connection/connection.manager';
import { ClientMessages } from './error/client.messages';
import { RealtimeError } from './error/realtime.error';
import { browserTransport, globalWebSocket } from './transport/browser.transport';
import type { Transport } from './transport/transport.interface';
import type { FrameEncoding } from '@nest-realtime/protocol';

export interface RealtimeClientOptions {
  /** The endpoint, `ws://` or `wss://` (the demo: `ws://localhost:3000/realtime`). Required. */
  url: string;
  /**
   * Sent as the `token` query parameter: a string, or a function called before every attempt to fetch a
   * fresh one (a function that returns no token stops the client in `disconnected`). Default: none.
   */
  token?: string | TokenProvider;
  /** More query parameters for every attempt. Default `{}`. */
  params?: Record<string, string>;
  /**
   * The WebSocket to use. Default: `browserTransport()`, the runtime's global `WebSocket` (browsers,
   * Node 22+); in Node 20 pass `wsTransport()` from `@nest-realtime/client/node`.
   */
  transport?: Transport;
  /** The reconnect schedule, or `false` to never reconnect by itself. Defaults: see `ReconnectOptions`. */
  reconnect?: ReconnectOptions | false;
  /** ms a request waits for its reply once written (also the wait for the welcome). Default `10000`. */
  requestTimeout?: number;
  /** Most frames waiting for the connection; past it a send fails with `queue_full`. Default `1000`. */
  maxQueuedFrames?: number;
  /**
   * The encoding of frames: `'json'` (text frames, `realtime.v1.json`) or `'msgpack'` (MessagePack in binary
   * frames, `realtime.v1.msgpack`: smaller frames, and Uint8Arrays in payloads travel as bytes). Default `'json'`.
   */
  encoding?: FrameEncoding;
}

export interface ResolvedClientOptions {
  url: string;
  token?: string | TokenProvider;
  params: Record<string, string>;
  transport: Transport;
  reconnect: ResolvedReconnectOptions;
  requestTimeout: number;
  maxQueuedFrames: number;
  encoding: FrameEncoding;
}

function fail(name: string, expected: string, got: unknown): never {
  throw new RealtimeError('invalid', ClientMessages.badOption(name, expected, got));
}

function number(name: string, value: unknown, fallback: number, check: (n: number) => boolean, expected: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || Number.isNaN(value) || !check(value)) fail(name, expected, value);
  return value;
}

function reconnectOptions(raw: ReconnectOptions | false | undefined): ResolvedReconnectOptions {
  if (raw === false) return { ...RECONNECT_DEFAULTS, maxAttempts: 0 };
  if (raw !== undefined && (typeof raw !== 'object' || raw === null)) fail('reconnect', 'an object or false', raw);
  const o = raw ?? {};
  const baseDelay = number('reconnect.baseDelay', o.baseDelay, RECONNECT_DEFAULTS.baseDelay, (n) => n > 0 && n < Infinity, 'a positive number of ms');
  const resolved: ResolvedReconnectOptions = {
    baseDelay,
    factor: number('reconnect.factor', o.factor, RECONNECT_DEFAULTS.factor, (n) => n >= 1 && n < Infinity, 'a number ≥ 1'),
    maxDelay: number('reconnect.maxDelay', o.maxDelay, Math.max(RECONNECT_DEFAULTS.maxDelay, baseDelay), (n) => n >= baseDelay && n < Infinity, `a number of ms ≥ reconnect.baseDelay (${baseDelay})`),
    maxAttempts: number('reconnect.maxAttempts', o.maxAttempts, RECONNECT_DEFAULTS.maxAttempts, (n) => n === Infinity || (Number.isInteger(n) && n >= 0), 'a whole number ≥ 0, or Infinity'),
    stableAfter: number('reconnect.stableAfter', o.stableAfter, RECONNECT_DEFAULTS.stableAfter, (n) => n >= 0 && n < Infinity, 'a number of ms ≥ 0'),
    restartJitter: number('reconnect.restartJitter', o.restartJitter, RECONNECT_DEFAULTS.restartJitter, (n) => n >= 0 && n < Infinity, 'a number of ms ≥ 0'),
    random: o.random ?? RECONNECT_DEFAULTS.random,
  };
  if (typeof resolved.random !== 'function') fail('reconnect.random', 'a function returning numbers in [0, 1)', resolved.random);
  return resolved;
}

function encoding(value: unknown): FrameEncoding {
  if (value === undefined) return 'json';
  if (value !== 'json' && value !== 'msgpack') fail('encoding', "'json' or 'msgpack'", value);
  return value;
}

function url(value: unknown): string {
  let parsed: URL | undefined;
  try {
    parsed = typeof value === 'string' ? new URL(value) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:')) fail('url', 'a ws:// or wss:// URL', value);
  return value as string;
}

function params(value: unknown): Record<string, string> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Object.values(value).some((v) => typeof v !== 'string')) {
    fail('params', 'an object of strings', value);
  }
  return { ...(value as Record<string, string>) };
}

/** Checks every option and fills in the defaults; a bad option throws `invalid` naming it. */
export function resolveClientOptions(options: RealtimeClientOptions): ResolvedClientOptions {
  if (typeof options !== 'object' || options === null) fail('options', 'an object with at least "url"', options);
  const { token, transport } = options;
  if (token !== undefined && typeof token !== 'string' && typeof token !== 'function') fail('token', 'a string or a function', token);
  if (transport !== undefined && typeof transport !== 'function') fail('transport', 'a transport such as wsTransport()', transport);
  if (transport === undefined && !globalWebSocket()) throw new RealtimeError('invalid', ClientMessages.noWebSocket());
  return {
    url: url(options.url),
    token,
    params: params(options.params),
    transport: transport ?? browserTransport(),
    reconnect: reconnectOptions(options.reconnect),
    requestTimeout: number('requestTimeout', options.requestTimeout, 10_000, (n) => n > 0 && n < 2 ** 31, 'a positive number of ms'),
    maxQueuedFrames: number('maxQueuedFrames', options.maxQueuedFrames, 1000, (n) => Number.isInteger(n) && n >= 0, 'a whole number ≥ 0'),
    encoding: encoding(options.encoding),
  };
}
