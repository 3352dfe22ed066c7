import { join } from 'path';
import type { ClientKind } from '../clients/bench-client';
import { rawWsClients, rawWsDeflateClients } from '../clients/raw-ws.client';
import { pusherClients } from '../clients/pusher.client';
import { realtimeClients, realtimeDeflateClients, realtimeMsgpackClients } from '../clients/realtime.client';
import { socketIoClients } from '../clients/socket-io.client';
import { RedisServer } from '../../test/support/redis-server';
import { RedisCluster } from '../../tools/redis-cluster';
import { ServerProcess, Usage } from '../support/server-process';

/** A server under test as the workloads see it, however many processes it runs in. */
export interface RunningServer {
  /** The base URL client number `index` connects to (several nodes: spread the clients over them). */
  urlFor(index: number): string;
  /** CPU time and memory, summed over the server's processes (the longest stall: the longest of any). */
  usage(gc?: boolean): Promise<Usage>;
  stop(): Promise<void>;
}

/** One column of the results: a server and the clients that speak its protocol. */
export interface ServerKind {
  name: string;
  /** What it is, for the table's legend. */
  description: string;
  clients: ClientKind;
  /** The publishers' clients when they are not `clients` (the Pusher kind: Pusher subscribers, a native publisher). */
  publishers?: ClientKind;
  /** The workloads the kind takes part in; every one when unset. */
  workloads?: string[];
  start(): Promise<RunningServer>;
}

/** A server of one process, from a module under bench/servers/ that calls `hostBenchServer`. */
function singleProcess(entry: string, scheme: 'ws' | 'http', env: Record<string, string> = {}): () => Promise<RunningServer> {
  return async () => {
    const server = await ServerProcess.start(join(__dirname, entry), env);
    const url = `${scheme}://127.0.0.1:${server.port}`;
    return { urlFor: () => url, usage: (gc) => server.usage(gc), stop: () => server.stop() };
  };
}

/** How often the metrics kind is scraped, as Prometheus would (its default is every 15 s; this is harsher). */
const SCRAPE_EVERY_MS = 1000;

/**
 * bench/servers/realtime.server.ts with RealtimeMetricsModule, scraped on GET /metrics every second from
 * the bench's process for as long as it runs (the scrape is rendered in the server, as for Prometheus).
 */
function realtimeWithMetrics(): () => Promise<RunningServer> {
  return async () => {
    const server = await ServerProcess.start(join(__dirname, 'realtime.server.ts'), { BENCH_METRICS: '1' });
    const metricsUrl = `http://127.0.0.1:${server.port}/metrics`;
    const scrape = async () => {
      const response = await fetch(metricsUrl);
      if (!response.ok) throw new Error(`GET /metrics answered ${response.status}`);
      await response.text();
    };
    try {
      await scrape();
    } catch (error) {
      await server.stop();
      throw error;
    }
    const scraper = setInterval(() => void scrape().catch(() => undefined), SCRAPE_EVERY_MS);
    const url = `ws://127.0.0.1:${server.port}`;
    return {
      urlFor: () => url,
      usage: (gc) => server.usage(gc),
      stop: () => {
        clearInterval(scraper);
        return server.stop();
      },
    };
  };
}

/** The Redis the nodes of a kind share, and how they are told where it is. */
interface SharedRedis {
  env: Record<string, string>;
  stop(): Promise<void>;
}

/** A redis-server of its own (Debian's package): the nodes get REDIS_URL. */
async function oneRedis(): Promise<SharedRedis> {
  const redis = await RedisServer.start();
  return { env: { REDIS_URL: redis.url }, stop: () => redis.close() };
}

/** A Redis Cluster of its own, three masters (tools/redis-cluster.ts): the nodes get REDIS_CLUSTER_NODES. */
async function redisCluster(): Promise<SharedRedis> {
  const cluster = await RedisCluster.start(3);
  return { env: { REDIS_CLUSTER_NODES: cluster.nodes.join(',') }, stop: () => cluster.stop() };
}

/**
 * Two processes of bench/servers/realtime.server.ts on the Redis engine, on a Redis of their own.
 * Client `index` goes to node `index % 2`: the publisher (index 0) is on the first, the subscribers are
 * split over both, so half the deliveries cross from one node to the other.
 */
function twoRealtimeNodes(startRedis: () => Promise<SharedRedis>): () => Promise<RunningServer> {
  return async () => {
    const redis = await startRedis();
    const nodes: ServerProcess[] = [];
    try {
      for (let i = 0; i < 2; i++) nodes.push(await ServerProcess.start(join(__dirname, 'realtime.server.ts'), redis.env));
    } catch (error) {
      await Promise.all(nodes.map((node) => node.stop()));
      await redis.stop();
      throw error;
    }
    const urls = nodes.map((node) => `ws://127.0.0.1:${node.port}`);
    return {
      urlFor: (index) => urls[index % urls.length],
      usage: async (gc) => {
        const usages = await Promise.all(nodes.map((node) => node.usage(gc)));
        return usages.reduce((sum, usage) => ({
          cpuMicros: sum.cpuMicros + usage.cpuMicros,
          rss: sum.rss + usage.rss,
          heapUsed: sum.heapUsed + usage.heapUsed,
          heapTotal: sum.heapTotal + usage.heapTotal,
          external: sum.external + usage.external,
          longestStallMs: Math.max(sum.longestStallMs, usage.longestStallMs),
        }));
      },
      stop: async () => {
        await Promise.all(nodes.map((node) => node.stop()));
        await redis.stop();
      },
    };
  };
}

export const SERVER_KINDS: ServerKind[] = [
  {
    name: 'raw-ws',
    description: '`ws` 8 by hand: a Map of sockets per room, one JSON.stringify per broadcast, then socket.send(text) to each',
    clients: rawWsClients,
    start: singleProcess('raw-ws.server.ts', 'ws'),
  },
  {
    name: 'socket.io',
    description: 'Socket.IO 4 rooms: io.to(room).emit, WebSocket transport only, socket.io-client',
    clients: socketIoClients,
    start: singleProcess('socket-io.server.ts', 'http'),
  },
  {
    name: 'realtime',
    description: '@nest-realtime/core: a minimal Nest app with RealtimeModule (bench/servers/realtime.server.ts)',
    clients: realtimeClients,
    start: singleProcess('realtime.server.ts', 'ws'),
  },
  {
    name: 'realtime-msgpack',
    description:
      'the realtime app (bench/servers/realtime.server.ts), clients speaking realtime.v1.msgpack: a broadcast is translated from its JSON once, then written as one binary frame to every member; fan-out and presence storm only',
    clients: realtimeMsgpackClients,
    workloads: ['fan-out', 'presence-storm'],
    start: singleProcess('realtime.server.ts', 'ws'),
  },
  {
    name: 'realtime-metrics',
    description: 'the realtime app with RealtimeMetricsModule.forRoot() (bench/servers/realtime.server.ts), scraped on GET /metrics every second',
    clients: realtimeClients,
    start: realtimeWithMetrics(),
  },
  {
    name: 'realtime-pusher',
    description:
      'the realtime app with RealtimePusherModule (bench/servers/realtime.server.ts): subscribers speak the Pusher protocol (7) to /app/{key}, the publisher the native one; fan-out and latency only',
    clients: pusherClients,
    publishers: realtimeClients,
    workloads: ['fan-out', 'latency'],
    start: singleProcess('realtime.server.ts', 'ws', { BENCH_PUSHER: '1' }),
  },
  {
    name: 'raw-ws-deflate',
    description:
      'the raw-ws server with ws\'s permessage-deflate (the settings compression: true gives: level 3, threshold 1 KiB, no context takeover), clients offering it: each socket deflates its own copy; fan-out only',
    clients: rawWsDeflateClients,
    workloads: ['fan-out', 'fan-out-deflate'],
    start: singleProcess('raw-ws.server.ts', 'ws', { BENCH_COMPRESSION: '1' }),
  },
  {
    name: 'realtime-deflate',
    description:
      'the realtime app with compression: true (bench/servers/realtime.server.ts), clients offering permessage-deflate: a broadcast is deflated once for every member; fan-out only',
    clients: realtimeDeflateClients,
    workloads: ['fan-out', 'fan-out-deflate'],
    start: singleProcess('realtime.server.ts', 'ws', { BENCH_COMPRESSION: '1' }),
  },
  {
    name: 'realtime-2-nodes',
    description:
      '@nest-realtime/core on two nodes (two processes of realtime.server.ts) with the Redis engine on a local redis-server; clients alternate between the nodes, the publisher on the first; CPU and memory are the two nodes\' (not Redis\')',
    clients: realtimeClients,
    start: twoRealtimeNodes(oneRedis),
  },
  {
    name: 'realtime-2-nodes-cluster',
    description:
      'the same two nodes on a Redis Cluster of three masters (tools/redis-cluster.ts: no replicas, sharded pub/sub); clients alternate between the nodes, the publisher on the first; CPU and memory are the two nodes\' (not Redis\')',
    clients: realtimeClients,
    start: twoRealtimeNodes(redisCluster),
  },
];
