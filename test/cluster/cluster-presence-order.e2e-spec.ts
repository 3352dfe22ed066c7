import { ClusterNode } from '../support/cluster/cluster-node';
import { racePresence } from '../support/presence-race';
import { RedisServer } from '../support/redis-server';
import { TestClient } from '../support/test-client';

/**
 * Members joining and leaving one presence channel at once on two and three nodes: each member gets a
 * `presence:state`, then only the diffs that apply to it (no second join of who the state holds, no
 * leave of who it never held, first and last as its view has them), and ends with what the engine holds.
 */
describe('Presence order across nodes', () => {
  let redis: RedisServer;
  let nodes: ClusterNode[];
  const clients: TestClient[] = [];

  beforeAll(async () => {
    redis = await RedisServer.start();
    // A diff window, so that the changes of a node are batched while the other nodes' interleave.
    nodes = await Promise.all([0, 1, 2].map(() => ClusterNode.start({ redisUrl: redis.url, presenceBatchMs: 15 })));
  });

  afterAll(async () => {
    await Promise.all((nodes ?? []).map((node) => node.stop()));
    await redis?.close();
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.terminate()));
  });

  const connect = (count: number) => async (node: number, user: string) => {
    const client = await TestClient.connect(`${nodes[node % count].ws}?user=${user}`);
    clients.push(client);
    return client;
  };

  for (const count of [2, 3]) {
    it(`keeps every member's presence a state plus diffs that apply, on ${count} nodes`, async () => {
      for (let round = 0; round < 3; round++) {
        const channel = `room:race-${count}-${round}`;
        await racePresence({ channel, nodes: count, connect: connect(count), engineState: () => nodes[round % count].call('presence', channel) });
        await Promise.all(clients.splice(0).map((client) => client.terminate()));
      }
    }, 60_000);
  }
});
