import { Logger, LogLevel } from '@nestjs/common';
import type { Authenticate, RealtimeModuleOptions } from '@app/realtime';
import { ROOM_CHANNELS } from '../rooms/room.channels';

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
}

const DEV_JWT_SECRET = 'demo-development-secret';

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
  // Last, so that a broken environment fails without a warning about the secret first.
  return { port, jwtSecret: jwtSecret(env), heartbeat, logLevel: level };
}

/** `LOG_LEVEL` names the least severe level shown; every more severe one is shown too. */
export function logLevelsFrom(level: DemoLogLevel): LogLevel[] {
  const order: LogLevel[] = ['verbose', 'debug', 'log', 'warn', 'error', 'fatal'];
  return order.slice(order.indexOf(level));
}

export function toRealtimeOptions(config: DemoConfig, authenticate: Authenticate): RealtimeModuleOptions {
  // Unset values are left out so the library's defaults apply.
  const heartbeat = Object.fromEntries(Object.entries(config.heartbeat).filter(([, value]) => value !== undefined));
  return {
    path: REALTIME_PATH,
    authenticate,
    channels: ROOM_CHANNELS,
    heartbeat,
    logLevels: logLevelsFrom(config.logLevel),
  };
}
