import { applyDecorators } from '@nestjs/common';
import { plainToInstance, Transform } from 'class-transformer';
import { ArrayNotEmpty, IsIn, IsInt, IsOptional, Matches, Max, Min, ValidateBy, ValidationArguments, ValidationError, validateSync } from 'class-validator';
import { isIP } from 'net';

export const DEMO_LOG_LEVELS = ['verbose', 'debug', 'log', 'warn', 'error'] as const;
export type DemoLogLevel = (typeof DEMO_LOG_LEVELS)[number];

/** Where `npm start` builds the page, from the repository root (where npm runs). */
export const DEFAULT_PAGE_DIR = 'dist/apps/demo/page';

const ORIGIN = /^(\*|null|[a-z][a-z0-9+.-]*:\/\/[^/?#\s]+)$/i;
const PROXY_NAMES = ['loopback', 'private', 'linklocal'];
/** The longest a timer waits (2^31 - 1 ms); Node fires longer ones at once. */
const MAX_TIMER_MS = 2_147_483_647;

// What each variable must be, as the error says it.
const A_PORT = 'an integer from 0 to 65535';
const A_POSITIVE_INTEGER = 'a positive integer';
const A_DURATION = `an integer from 0 to ${MAX_TIMER_MS} (milliseconds)`;
const A_POSITIVE_DURATION = `an integer from 1 to ${MAX_TIMER_MS} (milliseconds)`;
const A_LOG_LEVEL = `one of ${DEMO_LOG_LEVELS.join(', ')}`;
const ORIGINS = 'a comma-separated list of origins such as https://app.example.com,https://*.example.org';
const A_REDIS_URL = 'a redis:// or rediss:// URL such as redis://127.0.0.1:6379';
const CLUSTER_NODES = 'a comma-separated list of host:port of Redis Cluster nodes such as 10.0.0.1:7000,10.0.0.2:7000';
const HOST_PORT = /^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):\d{1,5}$/;
const A_PUSHER_NAME = 'letters, digits, ".", "_" and "-" (at most 64)';
const PROXIES = `a comma-separated list of IP addresses, CIDR ranges and ${PROXY_NAMES.join(', ')}, such as 10.0.0.0/8,fd00::/8`;

/** Digits become a number; anything else stays text, for the number checks to refuse as it was written. */
const toInteger = Transform(({ value }) => (typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value));
const toList = Transform(({ value }) =>
  typeof value === 'string' ? value.split(',').map((item) => item.trim()).filter((item) => item.length > 0) : value,
);

function integer(min: number, max: number, expected: string): PropertyDecorator {
  return applyDecorators(toInteger, IsInt({ message: expected }), Min(min, { message: expected }), Max(max, { message: expected }));
}

function isProxyEntry(entry: unknown): boolean {
  if (typeof entry !== 'string') return false;
  if (PROXY_NAMES.includes(entry)) return true;
  const [address, prefix, ...rest] = entry.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return false;
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128));
}

/** TLS_CERT and TLS_KEY go together: HTTPS needs both. */
const pairedWith = (other: 'TLS_CERT' | 'TLS_KEY') =>
  ValidateBy({
    name: 'pairedWith',
    validator: {
      validate: (_value: unknown, args) => (args?.object as DemoEnvironment | undefined)?.[other] !== undefined,
      defaultMessage: () => `set together with ${other} (both PEM file paths, for HTTPS with HTTP/2), or unset with it`,
    },
  });

const intervalOf = (args?: ValidationArguments) => (args?.object as DemoEnvironment | undefined)?.HEARTBEAT_INTERVAL_MS;
const longerThanInterval = ValidateBy({
  name: 'longerThanInterval',
  validator: {
    validate: (timeout: unknown, args) => {
      const interval = intervalOf(args);
      return typeof interval !== 'number' || typeof timeout !== 'number' || timeout > interval;
    },
    defaultMessage: (args) => `greater than HEARTBEAT_INTERVAL_MS (${intervalOf(args)})`,
  },
});

/** One Redis or a Redis Cluster: REDIS_CLUSTER_NODES goes without REDIS_URL. */
const withoutRedisUrl = ValidateBy({
  name: 'withoutRedisUrl',
  validator: {
    validate: (_value: unknown, args) => (args?.object as DemoEnvironment | undefined)?.REDIS_URL === undefined,
    defaultMessage: () => 'unset when REDIS_URL is set (one Redis or a Redis Cluster: unset one of them)',
  },
});

const proxyList = ValidateBy({
  name: 'proxyList',
  validator: { validate: (entries: unknown) => Array.isArray(entries) && entries.every(isProxyEntry), defaultMessage: () => PROXIES },
});

/** A Pusher app id or key: it appears in URL paths (`/app/{key}`, `/apps/{id}/events`). */
const PUSHER_NAME = /^[A-Za-z0-9._-]{1,64}$/;

/** The variables of the demo's environment, with their checks and defaults. Unset and empty both mean the default. */
export class DemoEnvironment {
  @integer(0, 65535, A_PORT)
  PORT = 3000;

  /** Unset: a development secret, with a warning. */
  @IsOptional()
  JWT_SECRET?: string;

  /** Unset: a development token, with a warning. */
  @IsOptional()
  ADMIN_TOKEN?: string;

  @IsIn(DEMO_LOG_LEVELS, { message: A_LOG_LEVEL })
  LOG_LEVEL: DemoLogLevel = 'log';

  /** Unset: the library's default. */
  @IsOptional()
  @integer(1, Number.MAX_SAFE_INTEGER, A_POSITIVE_INTEGER)
  HEARTBEAT_INTERVAL_MS?: number;

  /** Unset: the library's default. */
  @IsOptional()
  @integer(1, Number.MAX_SAFE_INTEGER, A_POSITIVE_INTEGER)
  @longerThanInterval
  HEARTBEAT_TIMEOUT_MS?: number;

  PAGE_DIR = DEFAULT_PAGE_DIR;

  /** Unset: the demo's own address and its own pages. */
  @IsOptional()
  @toList
  @ArrayNotEmpty({ message: ORIGINS })
  @Matches(ORIGIN, { each: true, message: ORIGINS })
  ALLOWED_ORIGINS?: string[];

  /** Unset: one node, in memory. */
  @IsOptional()
  @Matches(/^rediss?:\/\/\S+$/, { message: A_REDIS_URL })
  REDIS_URL?: string;

  /** Unset: REDIS_URL, or one node in memory. Set: run on this Redis Cluster (7 or later). Not with REDIS_URL. */
  @IsOptional()
  @toList
  @ArrayNotEmpty({ message: CLUSTER_NODES })
  @Matches(HOST_PORT, { each: true, message: CLUSTER_NODES })
  @withoutRedisUrl
  REDIS_CLUSTER_NODES?: string[];

  @integer(0, MAX_TIMER_MS, A_DURATION)
  DRAIN_MS = 10_000;

  /** ms without activity after which a room member who is `online` is shown `away` (5 minutes). */
  @integer(1, MAX_TIMER_MS, A_POSITIVE_DURATION)
  PRESENCE_AWAY_MS = 300_000;

  /** Unset: no proxy is trusted (the socket's address is the client's). */
  @IsOptional()
  @toList
  @ArrayNotEmpty({ message: PROXIES })
  @proxyList
  TRUST_PROXY?: string[];

  /** The Pusher app's id (HTTP API paths, `/apps/{id}/events`). */
  @Matches(PUSHER_NAME, { message: A_PUSHER_NAME })
  PUSHER_APP_ID = 'app-id';

  /** The Pusher app's public key: pusher-js connects to `/app/{key}`. */
  @Matches(PUSHER_NAME, { message: A_PUSHER_NAME })
  PUSHER_APP_KEY = 'app-key';

  /** Signs channel authorizations and HTTP API requests. Unset: a development secret, with a warning. */
  @IsOptional()
  PUSHER_APP_SECRET?: string;

  /** The PEM certificate (chain) file of HTTPS with HTTP/2 and HTTP/1.1 on PORT. Unset with TLS_KEY: plain HTTP/1.1. */
  @IsOptional()
  @pairedWith('TLS_KEY')
  TLS_CERT?: string;

  /** The PEM private key file of that certificate. */
  @IsOptional()
  @pairedWith('TLS_CERT')
  TLS_KEY?: string;
}

/** Every variable, by name (the compiler checks that none is missing). */
const VARIABLES = Object.keys({
  PORT: true,
  JWT_SECRET: true,
  ADMIN_TOKEN: true,
  LOG_LEVEL: true,
  HEARTBEAT_INTERVAL_MS: true,
  HEARTBEAT_TIMEOUT_MS: true,
  PAGE_DIR: true,
  ALLOWED_ORIGINS: true,
  REDIS_URL: true,
  REDIS_CLUSTER_NODES: true,
  DRAIN_MS: true,
  PRESENCE_AWAY_MS: true,
  TRUST_PROXY: true,
  PUSHER_APP_ID: true,
  PUSHER_APP_KEY: true,
  PUSHER_APP_SECRET: true,
  TLS_CERT: true,
  TLS_KEY: true,
} satisfies Record<keyof DemoEnvironment, true>);

/** One bad variable: its name, what it must be, and what it was. */
export interface DemoEnvironmentProblem {
  variable: string;
  expected: string;
  got: string;
}

export class DemoConfigError extends Error {
  /** Every bad variable (not enumerable: the log shows the message alone). */
  declare readonly problems: DemoEnvironmentProblem[];

  constructor(problems: DemoEnvironmentProblem[]) {
    super(
      `Invalid environment (set these variables right, or unset them for the defaults, and start again):\n` +
        problems.map(({ variable, expected, got }) => `- ${variable} must be ${expected}; got ${JSON.stringify(got)}.`).join('\n'),
    );
    this.name = 'DemoConfigError';
    Object.defineProperty(this, 'problems', { value: problems });
    // Where the check ran says nothing about the bad variables: the log shows the message alone.
    this.stack = `${this.name}: ${this.message}`;
  }
}

/**
 * The validate function of the demo's environment: reads the variables `DemoEnvironment` declares
 * (trimmed; an empty one is unset), converts and checks them, and fills in the defaults. Throws a
 * `DemoConfigError` naming every bad variable.
 */
export function validateDemoEnvironment(env: Record<string, unknown>): DemoEnvironment {
  const raw: Record<string, string> = {};
  for (const name of VARIABLES) {
    const value = env[name];
    if (typeof value === 'string' && value.trim() !== '') raw[name] = value.trim();
  }
  const environment = plainToInstance(DemoEnvironment, raw);
  const errors = validateSync(environment, { forbidUnknownValues: true });
  if (errors.length > 0) {
    throw new DemoConfigError(
      errors.map((error: ValidationError) => ({
        variable: error.property,
        expected: Object.values(error.constraints ?? {})[0] ?? 'valid',
        got: raw[error.property] ?? '',
      })),
    );
  }
  return environment;
}
