import { hostname } from 'os';
import { randomBytes } from 'crypto';
import type { LogLevel } from '@nestjs/common';
import type { ClusterOptions, RedisOptions } from 'ioredis';
import { OptionChecks, optionFailure } from '@nest-realtime/core/engine';

/** A master of a Redis Cluster: `'host:port'` or `{host, port}`. */
export type RedisClusterNode = string | { host: string; port: number };

/** Where a Redis Cluster is (Redis 7: the engine uses sharded pub/sub). */
export interface RedisClusterConfig {
  /** Some of the cluster's nodes (one is enough, more in case one is down); ioredis finds the others. Required, non-empty. */
  nodes: RedisClusterNode[];
  /** More ioredis Cluster options (`redisOptions` for password and tls, `natMap`…). Default `{}`. */
  redis?: ClusterOptions;
}

export interface RedisEngineOptions {
  /** Where Redis is: `redis://[user:password@]host:port[/db]` or `rediss://…` for TLS. Default `'redis://127.0.0.1:6379'`; not with `cluster`. */
  url?: string;
  /** More ioredis options (password, tls, sentinels…), over those of the url. Default `{}`; not with `cluster`. */
  redis?: RedisOptions;
  /**
   * A Redis Cluster (7 or later) instead of one Redis: the keys of a channel share one hash slot, and its
   * frames travel on sharded pub/sub, so channels spread over the masters. Default: none (one Redis at `url`).
   */
  cluster?: RedisClusterConfig;
  /**
   * Prefix of every key and pub/sub channel, so that several applications can share one Redis. Without
   * `{` or `}` on a cluster (a hash tag in the prefix would put every key in one slot). Default `'realtime:'`.
   */
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
  cluster?: { nodes: Array<{ host: string; port: number }>; redis: ClusterOptions };
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
  const cluster = options.cluster === undefined ? undefined : resolveCluster(options);
  return {
    url: check.text('url', options.url, 'redis://127.0.0.1:6379', /^rediss?:\/\/\S+$/, 'a redis:// or rediss:// URL'),
    redis,
    ...(cluster && { cluster }),
    keyPrefix: cluster
      ? check.text('keyPrefix', options.keyPrefix, 'realtime:', /^[^\s{}]{1,64}$/, '1 to 64 characters without spaces or braces on a cluster')
      : check.text('keyPrefix', options.keyPrefix, 'realtime:', /^\S{1,64}$/, '1 to 64 characters without spaces'),
    nodeTtl: check.integer('nodeTtl', options.nodeTtl, 10_000, 300),
    historyMetaTtl: check.integer('historyMetaTtl', options.historyMetaTtl, 86_400_000, 1000),
    connectTimeout: check.integer('connectTimeout', options.connectTimeout, 10_000, 1),
    nodeId: check.text('nodeId', options.nodeId, `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`, /^[^\s:][^\s]{0,127}$/, '1 to 128 characters without spaces'),
    logLevels: check.logLevels('logLevels', options.logLevels),
  };
}

const NODE = /^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):(\d{1,5})$/;
const NODES_EXPECTED = 'a non-empty list of "host:port" strings or {host, port} objects';

function resolveCluster(options: RedisEngineOptions): NonNullable<ResolvedRedisEngineOptions['cluster']> {
  const { cluster } = options;
  if (options.url !== undefined || options.redis !== undefined) {
    throw check.fail('cluster', 'given without "url" and "redis" (one Redis or a cluster, not both; put ioredis options in "cluster.redis")', cluster);
  }
  if (typeof cluster !== 'object' || cluster === null) throw check.fail('cluster', 'an object such as {nodes: ["127.0.0.1:7000"]}', cluster);
  const { nodes } = cluster;
  if (!Array.isArray(nodes) || nodes.length === 0) throw check.fail('cluster.nodes', NODES_EXPECTED, nodes);
  const redis = cluster.redis ?? {};
  if (typeof redis !== 'object' || redis === null) throw check.fail('cluster.redis', 'an object of ioredis Cluster options', redis);
  return { nodes: nodes.map((node) => clusterNode(node, nodes)), redis };
}

function clusterNode(node: RedisClusterNode, nodes: unknown): { host: string; port: number } {
  if (typeof node === 'string') {
    const match = NODE.exec(node);
    if (match && Number(match[2]) <= 65535) return { host: match[1].replace(/^\[|\]$/g, ''), port: Number(match[2]) };
  } else if (typeof node === 'object' && node !== null && typeof node.host === 'string' && node.host.length > 0) {
    if (Number.isInteger(node.port) && node.port > 0 && node.port <= 65535) return { host: node.host, port: node.port };
  }
  throw check.fail('cluster.nodes', NODES_EXPECTED, nodes);
}

/** Reads `REDIS_CLUSTER_NODES`-style text, `host:port,host:port`, into the `cluster.nodes` option. */
export function parseClusterNodes(text: string): string[] {
  return text
    .split(',')
    .map((node) => node.trim())
    .filter((node) => node.length > 0);
}
