import { RedisServer } from '../redis-server';
import { TestClient } from '../test-client';
import { ClusterNode, ClusterNodeOptions } from './cluster-node';

export interface TwoNodeCluster {
  redis: RedisServer;
  a: ClusterNode;
  b: ClusterNode;
  /** Connects a user to a node; the client is cut after each test. */
  connect(node: ClusterNode, user: string): Promise<TestClient>;
}

/**
 * Registers the suite's hooks for two application nodes, each its own process, on one real Redis. The
 * fields are set once `beforeAll` has run.
 */
export function useTwoNodeCluster(options: Omit<ClusterNodeOptions, 'redisUrl'> = {}): TwoNodeCluster {
  const clients: TestClient[] = [];
  const cluster = {
    connect: async (node: ClusterNode, user: string) => {
      const client = await TestClient.connect(`${node.ws}?user=${user}`);
      clients.push(client);
      return client;
    },
  } as TwoNodeCluster;

  beforeAll(async () => {
    cluster.redis = await RedisServer.start();
    const redisUrl = cluster.redis.url;
    [cluster.a, cluster.b] = await Promise.all([ClusterNode.start({ ...options, redisUrl }), ClusterNode.start({ ...options, redisUrl })]);
  });

  afterAll(async () => {
    await Promise.all([cluster.a?.stop(), cluster.b?.stop()]);
    await cluster.redis?.close();
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.terminate()));
  });

  return cluster;
}
