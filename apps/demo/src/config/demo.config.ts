import { Logger, LogLevel } from '@nestjs/common';
import { resolve } from 'path';
import { RedisEngine } from '@nest-realtime/redis';
import type { Authenticate, RateLimitOptions, Reauthenticate, RealtimeModuleOptions } from '@nest-realtime/core';
import { ROOM_CHANNELS } from '../rooms/room.channels';
import { PRIVATE_CHANNELS } from '../users/private.channels';

export const DEMO_CONFIG = Symbol('DEMO_CONFIG');
export const REALTIME_PATH = '/realtime';

const DEMO_LOG_LEVELS = ['verbose', 'debug', 'log', 'warn', 'error'] as const;
export type DemoLogLevel = (typeof DEMO_LOG_LEVELS)[number];

/** Everything the demo takes from its environment, read once at startup. */
export interface DemoConfig {
  port: number;
  jwtSecret: string;
  heartbeat: { interval?: number; timeout?: number };
  logLevel: DemoLogLevel;
  /** The built demo page (`npm run build:page`), served at `/`. */
  pageDir: string;
  /**
   * Browser origins allowed to connect (`ALLOWED_ORIGINS`, comma-separated). Undefined: the demo's own
   * address on localhost and 127.0.0.1, and pages the demo serves itself (same origin).
   */
  allowedOrigins?: string[];
  /** `REDIS_URL`: run as one node of many on this Redis (the Redis engine). Undefined: one node, in memory. */
  redisUrl?: string;
}

/** The largest frame a client may send; larger ones close the connection with 1009. */
export const DEMO_MAX_FRAME_BYTES = 64 * 1024;

/** Enough for a person chatting in a few rooms at once, well short of a script flooding them. */
export const DEMO_RATE_LIMIT: RateLimitOptions = {
  connection: {
    all: { frames: { burst: 60, perSecond: 20 } },
    publish: { frames: { burst: 30, perSecond: 10 } },
    join: { frames: { burst: 20, perSecond: 5 } },
    presence: { frames: { burst: 10, perSecond: 2 } },
  },
  maxBreaches: 10,
  breachWindow: 10_000,
};

const ORIGIN = /^(\*|null|[a-z][a-z0-9+.-]*:\/\/[^/?#\s]+)$/i;

const DEV_JWT_SECRET = 'demo-development-secret';
/** Where `npm start` builds the page, from the repository root (where npm runs). */
const DEFAULT_PAGE_DIR = 'dist/apps/demo/page';

export class DemoConfigError extends Error {
  constructor(variable: string, expected: string, got: string) {
    super(`Invalid environment: ${variable} must be ${expected}; got ${JSON.stringify(got)}.`);
    this.name = 'DemoConfigError';
    // Where the check ran says nothing about the bad variable: the log shows the message alone.
    this.stack = `${this.name}: ${this.message}`;
  }
}

type Env = Record<string, string | undefined>;

/** Unset and empty variables both mean "use the default". */
function read(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

function integer(env: Env, name: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const raw = read(env, name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new DemoConfigError(name, min === 1 ? 'a positive integer' : `an integer from ${min} to ${max}`, raw);
  }
  return value;
}

function logLevel(env: Env): DemoLogLevel {
  const raw = read(env, 'LOG_LEVEL') ?? 'log';
  if (!(DEMO_LOG_LEVELS as readonly string[]).includes(raw)) {
    throw new DemoConfigError('LOG_LEVEL', `one of ${DEMO_LOG_LEVELS.join(', ')}`, raw);
  }
  return raw as DemoLogLevel;
}

function jwtSecret(env: Env): string {
  const secret = read(env, 'JWT_SECRET');
  if (secret) return secret;
  new Logger('DemoConfig').warn('JWT_SECRET is not set: tokens are signed with a development secret. Set it outside development.');
  return DEV_JWT_SECRET;
}

export function loadDemoConfig(env: Env = process.env): DemoConfig {
  const port = integer(env, 'PORT', 0, 65535) ?? 3000;
  const level = logLevel(env);
  const heartbeat = {
    interval: integer(env, 'HEARTBEAT_INTERVAL_MS', 1),
    timeout: integer(env, 'HEARTBEAT_TIMEOUT_MS', 1),
  };
  if (heartbeat.interval !== undefined && heartbeat.timeout !== undefined && heartbeat.timeout <= heartbeat.interval) {
    throw new DemoConfigError('HEARTBEAT_TIMEOUT_MS', `greater than HEARTBEAT_INTERVAL_MS (${heartbeat.interval})`, String(heartbeat.timeout));
  }
  const pageDir = resolve(read(env, 'PAGE_DIR') ?? DEFAULT_PAGE_DIR);
  const allowedOrigins = origins(env);
  const redisUrl = read(env, 'REDIS_URL');
  if (redisUrl !== undefined && !/^rediss?:\/\/\S+$/.test(redisUrl)) {
    throw new DemoConfigError('REDIS_URL', 'a redis:// or rediss:// URL such as redis://127.0.0.1:6379', redisUrl);
  }
  // Last, so that a broken environment fails without a warning about the secret first.
  return {
    port,
    jwtSecret: jwtSecret(env),
    heartbeat,
    logLevel: level,
    pageDir,
    ...(allowedOrigins && { allowedOrigins }),
    ...(redisUrl && { redisUrl }),
  };
}

/** `LOG_LEVEL` names the least severe level shown; every more severe one is shown too. */
export function logLevelsFrom(level: DemoLogLevel): LogLevel[] {
  const order: LogLevel[] = ['verbose', 'debug', 'log', 'warn', 'error', 'fatal'];
  return order.slice(order.indexOf(level));
}

function origins(env: Env): string[] | undefined {
  const raw = read(env, 'ALLOWED_ORIGINS');
  if (raw === undefined) return undefined;
  const list = raw.split(',').map((origin) => origin.trim()).filter((origin) => origin.length > 0);
  if (list.length === 0 || list.some((origin) => !ORIGIN.test(origin))) {
    throw new DemoConfigError('ALLOWED_ORIGINS', 'a comma-separated list of origins such as https://app.example.com,https://*.example.org', raw);
  }
  return list;
}

/** Only the listed origins, or by default the demo's own address and its own pages; clients without Origin (not browsers) get in. */
function originOptions(config: DemoConfig): RealtimeModuleOptions['origins'] {
  if (config.allowedOrigins) return { allow: config.allowedOrigins, sameOrigin: false, allowMissing: true };
  return { allow: [`http://localhost:${config.port}`, `http://127.0.0.1:${config.port}`], sameOrigin: true, allowMissing: true };
}

export function toRealtimeOptions(config: DemoConfig, authenticate: Authenticate, reauthenticate?: Reauthenticate): RealtimeModuleOptions {
  // Unset values are left out so the library's defaults apply.
  const heartbeat = Object.fromEntries(Object.entries(config.heartbeat).filter(([, value]) => value !== undefined));
  return {
    path: REALTIME_PATH,
    authenticate,
    reauthenticate,
    channels: [...ROOM_CHANNELS, ...PRIVATE_CHANNELS],
    origins: originOptions(config),
    rateLimit: DEMO_RATE_LIMIT,
    maxFrameBytes: DEMO_MAX_FRAME_BYTES,
    heartbeat,
    logLevels: logLevelsFrom(config.logLevel),
    // Many nodes share one Redis; without it, the library's in-memory engine (one node).
    ...(config.redisUrl && { engine: new RedisEngine({ url: config.redisUrl }) }),
  };
}
