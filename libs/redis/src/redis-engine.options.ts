import { hostname } from 'os';
import { randomBytes } from 'crypto';
import type { LogLevel } from '@nestjs/common';
import type { RedisOptions } from 'ioredis';
import { OptionChecks, optionFailure } from '@nest-realtime/core/engine';

export interface RedisEngineOptions {
  /** Where Redis is: `redis://[user:password@]host:port[/db]` or `rediss://…` for TLS. Default `'redis://127.0.0.1:6379'`. */
  url?: string;
  /** More ioredis options (password, tls, sentinels…), over those of the url. Default `{}`. */
  redis?: RedisOptions;
  /** Prefix of every key and pub/sub channel, so that several applications can share one Redis. Default `'realtime:'`. */
  keyPrefix?: string;
  /**
   * ms a node's heartbeat key lives; the node refreshes it every third of that. A node that stops (killed,
   * frozen, cut off) is taken for dead this long after its last heartbeat, and the others remove its
   * connections and send their presence leaves, within `nodeTtl` plus one cleanup interval. Default `10000`.
   */
  nodeTtl?: number;
  /**
   * ms a channel's history offset and epoch are kept after its last publish (its messages go after the
   * channel's `history.ttl`): a client that missed nothing resumes even after the messages expired. A shared state
   * left with no key keeps its revision, epoch and change log as long. Default `86400000` (a day).
   */
  historyMetaTtl?: number;
  /** ms to wait for Redis at startup; past it the application fails to start. Default `10000`. */
  connectTimeout?: number;
  /** This node's id in the cluster. Default: the host name, the process id and a random suffix. */
  nodeId?: string;
  /** The engine's log levels, through Nest's `Logger` (outages, recoveries, nodes taken for dead). Default `['log', 'warn', 'error', 'fatal']`. */
  logLevels?: LogLevel[];
}

export interface ResolvedRedisEngineOptions {
  url: string;
  redis: RedisOptions;
  keyPrefix: string;
  nodeTtl: number;
  historyMetaTtl: number;
  connectTimeout: number;
  nodeId: string;
  logLevels: LogLevel[];
}

const check = new OptionChecks(optionFailure('RedisEngine'));

/** Applies the defaults and checks every option; a bad one throws with its name. */
export function resolveRedisEngineOptions(options: RedisEngineOptions = {}): ResolvedRedisEngineOptions {
  if (typeof options !== 'object' || options === null) throw check.fail('options', 'an object such as {url: "redis://127.0.0.1:6379"}', options);
  const redis = options.redis ?? {};
  if (typeof redis !== 'object' || redis === null) throw check.fail('redis', 'an object of ioredis options', redis);
  return {
    url: check.text('url', options.url, 'redis://127.0.0.1:6379', /^rediss?:\/\/\S+$/, 'a redis:// or rediss:// URL'),
    redis,
    keyPrefix: check.text('keyPrefix', options.keyPrefix, 'realtime:', /^\S{1,64}$/, '1 to 64 characters without spaces'),
    nodeTtl: check.integer('nodeTtl', options.nodeTtl, 10_000, 300),
    historyMetaTtl: check.integer('historyMetaTtl', options.historyMetaTtl, 86_400_000, 1000),
    connectTimeout: check.integer('connectTimeout', options.connectTimeout, 10_000, 1),
    nodeId: check.text('nodeId', options.nodeId, `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`, /^[^\s:][^\s]{0,127}$/, '1 to 128 characters without spaces'),
    logLevels: check.logLevels('logLevels', options.logLevels),
  };
}
