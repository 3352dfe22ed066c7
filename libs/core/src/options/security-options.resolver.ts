import type { Type } from '@nestjs/common';
import { isOriginPattern } from '../pipeline/middleware/origin.matcher';
import type { RealtimeMiddleware } from '../pipeline/middleware/realtime-middleware.interface';
import { booleanOption, integerOption, positiveNumberOption, sectionOption } from './option-checks';
import type { Reauthenticate, RealtimeModuleOptions } from './realtime-options.interface';
import { invalidOption } from './realtime-options.messages';
import type {
  CompressionOptions,
  LimitsOptions,
  OriginOptions,
  RateBucketOptions,
  RateClassOptions,
  RateScopeOptions,
} from './security-options.interface';

export type RateClass = 'all' | 'publish' | 'join' | 'presence';
export const RATE_CLASSES: readonly RateClass[] = ['all', 'publish', 'join', 'presence'];

export interface ResolvedRateClass {
  frames?: RateBucketOptions;
  bytes?: RateBucketOptions;
}

/** The buckets of a scope, by class; a class without buckets is left out. */
export type ResolvedRateScope = Partial<Record<RateClass, ResolvedRateClass>>;

export interface ResolvedRateLimit {
  connection: ResolvedRateScope;
  client: ResolvedRateScope;
  maxBreaches: number;
  breachWindow: number;
}

export interface ResolvedSecurityOptions {
  reauthenticate?: Reauthenticate;
  origins: Required<OriginOptions> | false;
  rateLimit: ResolvedRateLimit | false;
  limits: Required<LimitsOptions>;
  compression: Required<CompressionOptions> | false;
  middleware: Array<RealtimeMiddleware | Type<RealtimeMiddleware>>;
}

const MIDDLEWARE_HOOKS = ['upgrade', 'refused', 'opened', 'frame', 'closed'] as const;
const CLIENT_FACTOR = 3;

function connectionDefaults(maxFrameBytes: number): Record<RateClass, ResolvedRateClass> {
  return {
    all: { frames: { burst: 100, perSecond: 50 }, bytes: { burst: 2 * maxFrameBytes, perSecond: maxFrameBytes } },
    publish: { frames: { burst: 50, perSecond: 20 } },
    join: { frames: { burst: 50, perSecond: 10 } },
    presence: { frames: { burst: 20, perSecond: 5 } },
  };
}

function scaled(scope: Record<RateClass, ResolvedRateClass>, factor: number): Record<RateClass, ResolvedRateClass> {
  const scale = (bucket?: RateBucketOptions) => bucket && { burst: bucket.burst * factor, perSecond: bucket.perSecond * factor };
  return Object.fromEntries(
    RATE_CLASSES.map((name) => [name, { frames: scale(scope[name].frames), bytes: scale(scope[name].bytes) }]),
  ) as Record<RateClass, ResolvedRateClass>;
}

function resolveBucket(name: string, raw: unknown, fallback: RateBucketOptions | undefined, minBurst: number): RateBucketOptions | undefined {
  if (raw === false) return undefined;
  if (raw === undefined) return fallback;
  const bucket = sectionOption<RateBucketOptions>(name, raw as RateBucketOptions) as Partial<RateBucketOptions>;
  if (bucket.burst === undefined || bucket.perSecond === undefined) {
    throw invalidOption(name, '{burst, perSecond} or false', raw);
  }
  const burst = integerOption(`${name}.burst`, bucket.burst, 0, 1);
  if (burst < minBurst) {
    throw invalidOption(`${name}.burst`, `at least maxFrameBytes (${minBurst}), or a frame that large could never pass`, burst);
  }
  return { burst, perSecond: positiveNumberOption(`${name}.perSecond`, bucket.perSecond, 0) };
}

function resolveScope(
  name: string,
  raw: RateScopeOptions | false | undefined,
  defaults: Record<RateClass, ResolvedRateClass>,
  maxFrameBytes: number,
): ResolvedRateScope {
  const scope = sectionOption(name, raw, true);
  if (scope === false) return {};
  const resolved: ResolvedRateScope = {};
  for (const key of Object.keys(scope)) {
    if (!(RATE_CLASSES as readonly string[]).includes(key)) throw invalidOption(`${name}.${key}`, `one of ${RATE_CLASSES.join(', ')}`, key);
  }
  for (const rateClass of RATE_CLASSES) {
    const at = `${name}.${rateClass}`;
    const classRaw = sectionOption<RateClassOptions>(at, scope[rateClass], true);
    if (classRaw === false) continue;
    const frames = resolveBucket(`${at}.frames`, classRaw.frames, defaults[rateClass].frames, 1);
    const bytes = resolveBucket(`${at}.bytes`, classRaw.bytes, defaults[rateClass].bytes, maxFrameBytes);
    if (frames || bytes) resolved[rateClass] = { ...(frames && { frames }), ...(bytes && { bytes }) };
  }
  return resolved;
}

function resolveRateLimit(raw: RealtimeModuleOptions['rateLimit'], maxFrameBytes: number): ResolvedRateLimit | false {
  const options = sectionOption('rateLimit', raw, true);
  if (options === false) return false;
  const defaults = connectionDefaults(maxFrameBytes);
  return {
    connection: resolveScope('rateLimit.connection', options.connection, defaults, maxFrameBytes),
    client: resolveScope('rateLimit.client', options.client, scaled(defaults, CLIENT_FACTOR), maxFrameBytes),
    maxBreaches: integerOption('rateLimit.maxBreaches', options.maxBreaches, 20, 1),
    breachWindow: integerOption('rateLimit.breachWindow', options.breachWindow, 10_000, 1),
  };
}

function resolveOrigins(raw: RealtimeModuleOptions['origins']): Required<OriginOptions> | false {
  const options = sectionOption('origins', raw, true);
  if (options === false) return false;
  const allow = options.allow ?? [];
  if (!Array.isArray(allow)) throw invalidOption('origins.allow', 'an array of origins such as "https://*.example.com"', allow);
  allow.forEach((pattern, index) => {
    if (!isOriginPattern(pattern)) {
      throw invalidOption(`origins.allow[${index}]`, '"*", "null" or scheme://host[:port], with * for subdomains or a port', pattern);
    }
  });
  return {
    allow: [...allow],
    sameOrigin: booleanOption('origins.sameOrigin', options.sameOrigin, true),
    allowMissing: booleanOption('origins.allowMissing', options.allowMissing, true),
  };
}

function resolveLimits(raw: LimitsOptions | undefined): Required<LimitsOptions> {
  const limits = sectionOption('limits', raw) as Partial<LimitsOptions>;
  return {
    maxConnections: integerOption('limits.maxConnections', limits.maxConnections, 10_000),
    maxConnectionsPerIp: integerOption('limits.maxConnectionsPerIp', limits.maxConnectionsPerIp, 100),
    maxConnectionsPerClient: integerOption('limits.maxConnectionsPerClient', limits.maxConnectionsPerClient, 20),
    maxChannelsPerConnection: integerOption('limits.maxChannelsPerConnection', limits.maxChannelsPerConnection, 100),
    maxPendingBytes: integerOption('limits.maxPendingBytes', limits.maxPendingBytes, 4 * 1024 * 1024, 1024),
    maxDepth: integerOption('limits.maxDepth', limits.maxDepth, 32, 2),
    handshakeTimeout: integerOption('limits.handshakeTimeout', limits.handshakeTimeout, 10_000, 1),
    idleTimeout: integerOption('limits.idleTimeout', limits.idleTimeout, 0),
    trustProxy: booleanOption('limits.trustProxy', limits.trustProxy, false),
  };
}

function resolveCompression(raw: RealtimeModuleOptions['compression']): Required<CompressionOptions> | false {
  if (raw === undefined || raw === false) return false;
  const options = raw === true ? {} : (sectionOption('compression', raw) as Partial<CompressionOptions>);
  return {
    threshold: integerOption('compression.threshold', options.threshold, 1024),
    level: integerOption('compression.level', options.level, 3, 1, 9),
    memLevel: integerOption('compression.memLevel', options.memLevel, 8, 1, 9),
    windowBits: integerOption('compression.windowBits', options.windowBits, 15, 9, 15),
    contextTakeover: booleanOption('compression.contextTakeover', options.contextTakeover, false),
    concurrency: integerOption('compression.concurrency', options.concurrency, 10, 1),
  };
}

function resolveMiddleware(raw: RealtimeModuleOptions['middleware']): ResolvedSecurityOptions['middleware'] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) throw invalidOption('middleware', 'an array of middleware instances or classes', raw);
  raw.forEach((entry, index) => {
    if (typeof entry === 'function') return;
    const hooks = typeof entry === 'object' && entry !== null ? MIDDLEWARE_HOOKS.filter((hook) => typeof entry[hook] === 'function') : [];
    if (hooks.length === 0) {
      throw invalidOption(`middleware[${index}]`, `a class, or an object with at least one of ${MIDDLEWARE_HOOKS.join(', ')}`, entry);
    }
  });
  return [...raw];
}

/** The security options with their defaults; `maxFrameBytes` sizes the default byte buckets. */
export function resolveSecurityOptions(raw: RealtimeModuleOptions, maxFrameBytes: number): ResolvedSecurityOptions {
  if (raw.reauthenticate !== undefined && typeof raw.reauthenticate !== 'function') {
    throw invalidOption('reauthenticate', 'a function (token, connection) => {clientId, expiresAt?}', raw.reauthenticate);
  }
  return {
    reauthenticate: raw.reauthenticate,
    origins: resolveOrigins(raw.origins),
    rateLimit: resolveRateLimit(raw.rateLimit, maxFrameBytes),
    limits: resolveLimits(raw.limits),
    compression: resolveCompression(raw.compression),
    middleware: resolveMiddleware(raw.middleware),
  };
}
