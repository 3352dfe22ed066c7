import type { Type } from '@nestjs/common';
import { isOriginPattern } from '../pipeline/middleware/origin.matcher';
import type { RealtimeMiddleware } from '../pipeline/middleware/realtime-middleware.interface';
import type { TrustedProxy } from '../transport/upgrade/client-ip';
import { IpRange, NAMED_RANGES, rangeMatcher, rangesOf } from '../transport/upgrade/ip-range';
import { moduleOptionChecks as check } from './option.checks';
import type { Reauthenticate, RealtimeModuleOptions } from './realtime-options.interface';
import type {
  CompressionOptions,
  LimitsOptions,
  OriginOptions,
  RateBucketOptions,
  RateClassOptions,
  RateScopeOptions,
  TrustProxy,
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

/** The limits, with `trustProxy` as the check of one address (`false`: the socket's address, always). */
export type ResolvedLimits = Required<Omit<LimitsOptions, 'trustProxy'>> & { trustProxy: TrustedProxy | false };

export interface ResolvedSecurityOptions {
  reauthenticate?: Reauthenticate;
  origins: Required<OriginOptions> | false;
  rateLimit: ResolvedRateLimit | false;
  limits: ResolvedLimits;
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
  const bucket = check.section(name, raw as RateBucketOptions);
  if (bucket.burst === undefined || bucket.perSecond === undefined) {
    throw check.fail(name, '{burst, perSecond} or false', raw);
  }
  const burst = check.integer(`${name}.burst`, bucket.burst, 0, 1);
  if (burst < minBurst) {
    throw check.fail(`${name}.burst`, `at least maxFrameBytes (${minBurst}), or a frame that large could never pass`, burst);
  }
  return { burst, perSecond: check.positiveNumber(`${name}.perSecond`, bucket.perSecond, 0) };
}

function resolveScope(
  name: string,
  raw: RateScopeOptions | false | undefined,
  defaults: Record<RateClass, ResolvedRateClass>,
  maxFrameBytes: number,
): ResolvedRateScope {
  const scope = check.sectionOrOff(name, raw);
  if (scope === false) return {};
  const resolved: ResolvedRateScope = {};
  for (const key of Object.keys(scope)) check.oneOf(`${name}.${key}`, key, RATE_CLASSES);
  for (const rateClass of RATE_CLASSES) {
    const at = `${name}.${rateClass}`;
    const classRaw = check.sectionOrOff<RateClassOptions>(at, scope[rateClass]);
    if (classRaw === false) continue;
    const frames = resolveBucket(`${at}.frames`, classRaw.frames, defaults[rateClass].frames, 1);
    const bytes = resolveBucket(`${at}.bytes`, classRaw.bytes, defaults[rateClass].bytes, maxFrameBytes);
    if (frames || bytes) resolved[rateClass] = { ...(frames && { frames }), ...(bytes && { bytes }) };
  }
  return resolved;
}

function resolveRateLimit(raw: RealtimeModuleOptions['rateLimit'], maxFrameBytes: number): ResolvedRateLimit | false {
  const options = check.sectionOrOff('rateLimit', raw);
  if (options === false) return false;
  const defaults = connectionDefaults(maxFrameBytes);
  return {
    connection: resolveScope('rateLimit.connection', options.connection, defaults, maxFrameBytes),
    client: resolveScope('rateLimit.client', options.client, scaled(defaults, CLIENT_FACTOR), maxFrameBytes),
    maxBreaches: check.integer('rateLimit.maxBreaches', options.maxBreaches, 20, 1),
    breachWindow: check.integer('rateLimit.breachWindow', options.breachWindow, 10_000, 1),
  };
}

function resolveOrigins(raw: RealtimeModuleOptions['origins']): Required<OriginOptions> | false {
  const options = check.sectionOrOff('origins', raw);
  if (options === false) return false;
  const allow = options.allow ?? [];
  if (!Array.isArray(allow)) throw check.fail('origins.allow', 'an array of origins such as "https://*.example.com"', allow);
  allow.forEach((pattern, index) => {
    if (!isOriginPattern(pattern)) {
      throw check.fail(`origins.allow[${index}]`, '"*", "null" or scheme://host[:port], with * for subdomains or a port', pattern);
    }
  });
  return {
    allow: [...allow],
    sameOrigin: check.boolean('origins.sameOrigin', options.sameOrigin, true),
    allowMissing: check.boolean('origins.allowMissing', options.allowMissing, true),
  };
}

const TRUST_PROXY = `true, false, a function (address) => boolean, or an array of addresses, CIDR ranges and ${Object.keys(NAMED_RANGES).join(', ')}`;
const TRUST_PROXY_ENTRY = `an IP address ("203.0.113.7", "2001:db8::1"), a CIDR range ("10.0.0.0/8", "fd00::/8") or one of ${Object.keys(NAMED_RANGES).join(', ')}`;

function resolveTrustProxy(raw: TrustProxy | undefined): TrustedProxy | false {
  if (raw === undefined || raw === false) return false;
  if (typeof raw === 'function') return raw;
  if (raw !== true && !Array.isArray(raw)) throw check.fail('limits.trustProxy', TRUST_PROXY, raw);
  const entries: readonly unknown[] = raw === true ? ['loopback', 'private'] : raw;
  const ranges: IpRange[] = [];
  entries.forEach((entry, index) => {
    const parsed = typeof entry === 'string' ? rangesOf(entry) : undefined;
    if (!parsed) throw check.fail(`limits.trustProxy[${index}]`, TRUST_PROXY_ENTRY, entry);
    ranges.push(...parsed);
  });
  return ranges.length === 0 ? false : rangeMatcher(ranges);
}

function resolveLimits(raw: LimitsOptions | undefined): ResolvedLimits {
  const limits = check.section('limits', raw);
  return {
    maxConnections: check.integer('limits.maxConnections', limits.maxConnections, 10_000, 0),
    maxConnectionsPerIp: check.integer('limits.maxConnectionsPerIp', limits.maxConnectionsPerIp, 0, 0),
    maxConnectionsPerClient: check.integer('limits.maxConnectionsPerClient', limits.maxConnectionsPerClient, 20, 0),
    maxChannelsPerConnection: check.integer('limits.maxChannelsPerConnection', limits.maxChannelsPerConnection, 100, 0),
    maxPendingBytes: check.integer('limits.maxPendingBytes', limits.maxPendingBytes, 4 * 1024 * 1024, 1024),
    maxDepth: check.integer('limits.maxDepth', limits.maxDepth, 32, 2),
    handshakeTimeout: check.integer('limits.handshakeTimeout', limits.handshakeTimeout, 10_000, 1),
    idleTimeout: check.integer('limits.idleTimeout', limits.idleTimeout, 0, 0),
    trustProxy: resolveTrustProxy(limits.trustProxy),
    proxyHeader: check.oneOf('limits.proxyHeader', limits.proxyHeader, ['x-forwarded-for', 'forwarded'], 'x-forwarded-for'),
  };
}

function resolveCompression(raw: RealtimeModuleOptions['compression']): Required<CompressionOptions> | false {
  if (raw === undefined || raw === false) return false;
  const options = raw === true ? {} : check.section('compression', raw);
  return {
    threshold: check.integer('compression.threshold', options.threshold, 1024, 0),
    level: check.integer('compression.level', options.level, 3, 1, 9),
    memLevel: check.integer('compression.memLevel', options.memLevel, 8, 1, 9),
    windowBits: check.integer('compression.windowBits', options.windowBits, 15, 9, 15),
    contextTakeover: check.boolean('compression.contextTakeover', options.contextTakeover, false),
    concurrency: check.integer('compression.concurrency', options.concurrency, 10, 1),
  };
}

function resolveMiddleware(raw: RealtimeModuleOptions['middleware']): ResolvedSecurityOptions['middleware'] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) throw check.fail('middleware', 'an array of middleware instances or classes', raw);
  raw.forEach((entry, index) => {
    if (typeof entry === 'function') return;
    const hooks = typeof entry === 'object' && entry !== null ? MIDDLEWARE_HOOKS.filter((hook) => typeof entry[hook] === 'function') : [];
    if (hooks.length === 0) {
      throw check.fail(`middleware[${index}]`, `a class, or an object with at least one of ${MIDDLEWARE_HOOKS.join(', ')}`, entry);
    }
  });
  return [...raw];
}

/** The security options with their defaults; `maxFrameBytes` sizes the default byte buckets. */
export function resolveSecurityOptions(raw: RealtimeModuleOptions, maxFrameBytes: number): ResolvedSecurityOptions {
  return {
    reauthenticate: check.callback<Reauthenticate>('reauthenticate', raw.reauthenticate, '(token, connection) => {clientId, expiresAt?}'),
    origins: resolveOrigins(raw.origins),
    rateLimit: resolveRateLimit(raw.rateLimit, maxFrameBytes),
    limits: resolveLimits(raw.limits),
    compression: resolveCompression(raw.compression),
    middleware: resolveMiddleware(raw.middleware),
  };
}
