import { RedisBackend, RedisBackendName } from '../redis-backend';
import { TestClient } from '../test-client';
import { ClusterNode, ClusterNodeTuning } from './cluster-node';

export interface TwoNodeCluster {
  redis: RedisBackend;
  a: ClusterNode;
  b: ClusterNode;
  /** Connects a user to a node; the client is cut after each test. */
  connect(node: ClusterNode, user: string): Promise<TestClient>;
}

/**
 * Registers the suite's hooks for two application nodes, each its own process, on a real Redis (`backend`:
 * one Redis, the default, or a three-master Redis Cluster). The fields are set once `beforeAll` has run.
 */
export function useTwoNodeCluster(options: ClusterNodeTuning & { backend?: RedisBackendName } = {}): TwoNodeCluster {
  const { backend = 'one Redis', ...tuning } = options;
  const clients: TestClient[] = [];
  const cluster = {
    connect: async (node: ClusterNode, user: string) => {
      const client = await TestClient.connect(`${node.ws}?user=${user}`);
      clients.push(client);
      return client;
    },
  } as TwoNodeCluster;

  beforeAll(async () => {
    cluster.redis = await RedisBackend.start(backend);
    const where = cluster.redis.nodeOptions;
    [cluster.a, cluster.b] = await Promise.all([ClusterNode.start({ ...tuning, ...where }), ClusterNode.start({ ...tuning, ...where })]);
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
