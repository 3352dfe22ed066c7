import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { RealtimeAdapter, RealtimeModule, RealtimeModuleOptions } from '@nest-realtime/core';
import { RealtimeMetricsModule } from '@nest-realtime/core/metrics';
import { RealtimePusherModule } from '@nest-realtime/pusher';
import { parseClusterNodes, RedisEngine, RedisEngineOptions } from '@nest-realtime/redis';
import { BENCH_PUSHER_APP, hostBenchServer, idFromUrl, listenOnLoopback, PRESENCE_ROOM_PREFIX } from './server-host';

/** Far above what the bench sends, so that the rate-limit middleware runs on every frame but never refuses. */
const UNLIMITED = { burst: 1_000_000_000, perSecond: 1_000_000_000 };
const UNLIMITED_SCOPE = {
  all: { frames: UNLIMITED, bytes: UNLIMITED },
  publish: { frames: UNLIMITED },
  join: { frames: UNLIMITED },
  presence: { frames: UNLIMITED },
};

/**
 * A minimal application with the module and its production defaults, except what a load test on one
 * machine must change: the connection limits (10,000 connections from 127.0.0.1), rate limits raised
 * out of the way (the middleware still runs), and `warn` logging (no line per connection).
 */
export const BENCH_REALTIME_OPTIONS: RealtimeModuleOptions = {
  path: '/realtime',
  authenticate: (request) => {
    const id = idFromUrl(request.url);
    return id ? { clientId: id } : null;
  },
  channels: [{ pattern: `${PRESENCE_ROOM_PREFIX}*`, presence: true }],
  limits: { maxConnections: 0, maxConnectionsPerIp: 0, maxConnectionsPerClient: 0 },
  rateLimit: { connection: UNLIMITED_SCOPE, client: UNLIMITED_SCOPE },
  logLevels: ['warn', 'error', 'fatal'],
};

// With REDIS_URL (the two-node kind), one node of several on that Redis; with REDIS_CLUSTER_NODES
// (`host:port,…`, the cluster kind), on that Redis Cluster.
const redisUrl = process.env.REDIS_URL;
const clusterNodes = process.env.REDIS_CLUSTER_NODES;
const redisLogLevels: RedisEngineOptions['logLevels'] = ['warn', 'error', 'fatal'];
const engine = clusterNodes
  ? { engine: new RedisEngine({ cluster: { nodes: parseClusterNodes(clusterNodes) }, logLevels: redisLogLevels }) }
  : redisUrl
    ? { engine: new RedisEngine({ url: redisUrl, logLevels: redisLogLevels }) }
    : {};

// With BENCH_METRICS (the metrics kind), RealtimeMetricsModule as an application imports it: GET /metrics.
const metrics = process.env.BENCH_METRICS ? [RealtimeMetricsModule.forRoot()] : [];

// With BENCH_COMPRESSION (the realtime-deflate kind), permessage-deflate with the option's defaults.
const compression = process.env.BENCH_COMPRESSION ? { compression: true } : {};

// With BENCH_PUSHER (the Pusher kind), the Pusher endpoint too, at /app/{key}, on the same channels.
const pusher = process.env.BENCH_PUSHER ? [RealtimePusherModule.forRoot({ apps: [BENCH_PUSHER_APP] })] : [];

@Module({ imports: [RealtimeModule.forRoot({ ...BENCH_REALTIME_OPTIONS, ...engine, ...compression }), ...metrics, ...pusher] })
class BenchAppModule {}

hostBenchServer(async () => {
  const app = await NestFactory.create(BenchAppModule, { logger: ['warn', 'error', 'fatal'] });
  app.useWebSocketAdapter(new RealtimeAdapter(app));
  await app.init();
  await listenOnLoopback(app.getHttpServer());
  return { http: app.getHttpServer() };
});
