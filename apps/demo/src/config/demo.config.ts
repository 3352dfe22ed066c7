import { Logger, LogLevel } from '@nestjs/common';
import { registerAs } from '@nestjs/config';
import { resolve } from 'path';
import { RedisEngine } from '@nest-realtime/redis';
import type { Authenticate, RateLimitOptions, Reauthenticate, RealtimeModuleOptions } from '@nest-realtime/core';
import type { PusherModuleOptions } from '@nest-realtime/pusher';
import { roomChannels } from '../rooms/room.channels';
import { PRIVATE_CHANNELS } from '../users/private.channels';
import { type DemoEnvironment, type DemoLogLevel, validateDemoEnvironment } from './demo.environment';

export { DemoConfigError } from './demo.environment';

export const DEMO_CONFIG = Symbol('DEMO_CONFIG');
export const REALTIME_PATH = '/realtime';

export type { DemoLogLevel };

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
  /** `REDIS_CLUSTER_NODES` (comma-separated host:port): run as one node of many on this Redis Cluster. Not with `redisUrl`. */
  redisClusterNodes?: string[];
  /** `DRAIN_MS`: how long a shutdown lets connections finish before closing them (ms, default 10000). */
  drainMs: number;
  /** `PRESENCE_AWAY_MS`: ms without activity after which an `online` room member is shown `away` (default 300000). */
  presenceAwayMs: number;
  /** `ADMIN_TOKEN`: the bearer token of the admin API; a development token (with a warning) when unset. */
  adminToken: string;
  /**
   * `TRUST_PROXY` (comma-separated): the proxies whose X-Forwarded-For names the client (`limits.trustProxy`).
   * Undefined: none, the socket's address is the client's.
   */
  trustProxy?: string[];
  /**
   * The one Pusher app served on `/app/{key}` (`PUSHER_APP_ID`, `PUSHER_APP_KEY`, `PUSHER_APP_SECRET`);
   * development credentials (`app-id`, `app-key`, `app-secret`, with a warning for the secret) when unset.
   */
  pusherApp: { id: string; key: string; secret: string };
  /**
   * `TLS_CERT` and `TLS_KEY` (PEM file paths): serve HTTPS with HTTP/2 and HTTP/1.1 on `port`, WebSockets
   * over both. Undefined: plain HTTP/1.1.
   */
  tls?: { certFile: string; keyFile: string };
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

const DEV_JWT_SECRET = 'demo-development-secret';
const DEV_ADMIN_TOKEN = 'demo-development-admin-token';
const DEV_PUSHER_APP_SECRET = 'app-secret';

/** A development default for a secret left unset, with a warning. */
function secret(value: string | undefined, fallback: string, warning: string): string {
  if (value !== undefined) return value;
  new Logger('DemoConfig').warn(warning);
  return fallback;
}

/** The config of a checked environment (see `validateDemoEnvironment`). */
export function toDemoConfig(env: DemoEnvironment): DemoConfig {
  return {
    port: env.PORT,
    jwtSecret: secret(env.JWT_SECRET, DEV_JWT_SECRET, 'JWT_SECRET is not set: tokens are signed with a development secret. Set it outside development.'),
    adminToken: secret(
      env.ADMIN_TOKEN,
      DEV_ADMIN_TOKEN,
      'ADMIN_TOKEN is not set: the admin API takes a development token. Set it outside development.',
    ),
    drainMs: env.DRAIN_MS,
    presenceAwayMs: env.PRESENCE_AWAY_MS,
    heartbeat: {
      ...(env.HEARTBEAT_INTERVAL_MS !== undefined && { interval: env.HEARTBEAT_INTERVAL_MS }),
      ...(env.HEARTBEAT_TIMEOUT_MS !== undefined && { timeout: env.HEARTBEAT_TIMEOUT_MS }),
    },
    logLevel: env.LOG_LEVEL,
    pageDir: resolve(env.PAGE_DIR),
    ...(env.ALLOWED_ORIGINS && { allowedOrigins: env.ALLOWED_ORIGINS }),
    ...(env.REDIS_URL && { redisUrl: env.REDIS_URL }),
    ...(env.REDIS_CLUSTER_NODES && { redisClusterNodes: env.REDIS_CLUSTER_NODES }),
    ...(env.TRUST_PROXY && { trustProxy: env.TRUST_PROXY }),
    ...(env.TLS_CERT && env.TLS_KEY && { tls: tlsOf(env) }),
    pusherApp: {
      id: env.PUSHER_APP_ID,
      key: env.PUSHER_APP_KEY,
      secret: secret(
        env.PUSHER_APP_SECRET,
        DEV_PUSHER_APP_SECRET,
        'PUSHER_APP_SECRET is not set: Pusher channel authorizations and HTTP API requests are signed with the development secret "app-secret". Set it outside development.',
      ),
    },
  };
}

function tlsOf(env: DemoEnvironment): DemoConfig['tls'] {
  return env.TLS_CERT && env.TLS_KEY ? { certFile: resolve(env.TLS_CERT), keyFile: resolve(env.TLS_KEY) } : undefined;
}

/**
 * The TLS files alone (undefined for plain HTTP), for `main.ts`, which makes the HTTP server before the
 * container reads the config; a bad environment throws as `loadDemoConfig` does, without its warnings.
 */
export function loadDemoTls(env: Record<string, string | undefined> = process.env): DemoConfig['tls'] {
  return tlsOf(validateDemoEnvironment(env));
}

/** Reads and checks the environment; a bad one throws a `DemoConfigError` naming every bad variable, before any warning. */
export function loadDemoConfig(env: Record<string, string | undefined> = process.env): DemoConfig {
  return toDemoConfig(validateDemoEnvironment(env));
}

/**
 * The config as `@nestjs/config` loads it (`ConfigModule.forRoot({ load: [demoConfig] })`): read each
 * time an application is created, so that tests can start the demo with environments of their own.
 */
export const demoConfig = registerAs('demo', (): DemoConfig => loadDemoConfig());

/** `LOG_LEVEL` names the least severe level shown; every more severe one is shown too. */
export function logLevelsFrom(level: DemoLogLevel): LogLevel[] {
  const order: LogLevel[] = ['verbose', 'debug', 'log', 'warn', 'error', 'fatal'];
  return order.slice(order.indexOf(level));
}

/** Only the listed origins, or by default the demo's own address and its own pages; clients without Origin (not browsers) get in. */
function originOptions(config: DemoConfig): RealtimeModuleOptions['origins'] {
  if (config.allowedOrigins) return { allow: config.allowedOrigins, sameOrigin: false, allowMissing: true };
  const scheme = config.tls ? 'https' : 'http';
  return { allow: [`${scheme}://localhost:${config.port}`, `${scheme}://127.0.0.1:${config.port}`], sameOrigin: true, allowMissing: true };
}

export function toRealtimeOptions(config: DemoConfig, authenticate: Authenticate, reauthenticate?: Reauthenticate): RealtimeModuleOptions {
  // Unset values are left out so the library's defaults apply.
  const heartbeat = Object.fromEntries(Object.entries(config.heartbeat).filter(([, value]) => value !== undefined));
  return {
    path: REALTIME_PATH,
    authenticate,
    reauthenticate,
    channels: [...roomChannels({ awayAfter: config.presenceAwayMs }), ...PRIVATE_CHANNELS],
    origins: originOptions(config),
    rateLimit: DEMO_RATE_LIMIT,
    maxFrameBytes: DEMO_MAX_FRAME_BYTES,
    heartbeat,
    logLevels: logLevelsFrom(config.logLevel),
    // Behind the listed proxies the client's address is read from X-Forwarded-For; by default the socket's.
    ...(config.trustProxy && { limits: { trustProxy: config.trustProxy } }),
    // Many nodes share one Redis or a Redis Cluster; without either, the library's in-memory engine (one node).
    ...(config.redisUrl && { engine: new RedisEngine({ url: config.redisUrl }) }),
    ...(config.redisClusterNodes && { engine: new RedisEngine({ cluster: { nodes: config.redisClusterNodes } }) }),
  };
}

/** The Pusher endpoint (`RealtimePusherModule`): the one app of the config, at the default path `/app`. */
export function toPusherOptions(config: DemoConfig): PusherModuleOptions {
  return { apps: [{ ...config.pusherApp }] };
}
