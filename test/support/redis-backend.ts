import Redis, { Cluster } from 'ioredis';
import type { RedisEngineOptions } from '@nest-realtime/redis';
import { RedisCluster } from './redis-cluster';
import { RedisServer } from './redis-server';

/** The two places the Redis engine runs on; the multi-node suites run on each (`describe.each(REDIS_BACKENDS)`). */
export const REDIS_BACKENDS = ['one Redis', 'a Redis Cluster'] as const;
export type RedisBackendName = (typeof REDIS_BACKENDS)[number];

/**
 * Where a suite's nodes keep their state: one real `redis-server`, or a real three-master Redis Cluster
 * (tools/redis-cluster.ts). Both can be lost and brought back empty, as after a crash without persistence.
 */
export class RedisBackend {
  private constructor(
    readonly name: RedisBackendName,
    private readonly server?: RedisServer,
    private readonly cluster?: RedisCluster,
  ) {}

  static async start(name: RedisBackendName): Promise<RedisBackend> {
    if (name === 'one Redis') return new RedisBackend(name, await RedisServer.start());
    return new RedisBackend(name, undefined, await RedisCluster.start(3));
  }

  /** The engine's `url` or `cluster` option. */
  get engineOptions(): Pick<RedisEngineOptions, 'url' | 'cluster'> {
    return this.cluster ? { cluster: { nodes: this.cluster.nodes } } : { url: this.server!.url };
  }

  /** Where a node process finds it (cluster-node.ts passes it as `REDIS_URL` or `REDIS_CLUSTER_NODES`). */
  get nodeOptions(): { redisUrl: string } | { redisClusterNodes: string[] } {
    return this.cluster ? { redisClusterNodes: this.cluster.nodes } : { redisUrl: this.server!.url };
  }

  /** A client of the test's own, to look at or change keys; the caller quits it. */
  async admin(): Promise<Redis | Cluster> {
    if (!this.cluster) return new Redis(this.server!.url);
    const client = new Cluster(this.cluster.nodes);
    await new Promise((resolve) => client.once('ready', resolve));
    return client;
  }

  /** Empties every master. */
  async flush(): Promise<void> {
    const admin = await this.admin();
    const masters = admin instanceof Cluster ? admin.nodes('master') : [admin];
    await Promise.all(masters.map((master) => master.flushall()));
    await admin.quit();
  }

  /** Stops Redis (every master: SIGKILL). */
  async stop(): Promise<void> {
    if (this.server) return this.server.stop();
    await Promise.all(this.cluster!.nodes.map((node) => this.cluster!.kill(node)));
  }

  /** Starts it again, empty, on the same ports (a cluster with its slots as before). */
  async startAgain(): Promise<void> {
    if (this.server) return this.server.startAgain();
    await Promise.all(this.cluster!.nodes.map((node) => this.cluster!.restart(node)));
  }

  async close(): Promise<void> {
    if (this.server) return this.server.close();
    await this.cluster!.stop();
  }
}
