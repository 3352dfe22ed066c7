import { ClusterNode } from '../support/cluster/cluster-node';
import { PresenceCopy } from '../support/presence-copy';
import { REDIS_BACKENDS, RedisBackend } from '../support/redis-backend';
import { TestClient } from '../support/test-client';

const NODE_TTL = 2000;
const CLEANUP_INTERVAL = 200;
/** When the others must have sent the leaves of a killed node: its heartbeat's life, one sweep, and room for a busy machine. */
const LEAVE_BOUND = NODE_TTL + CLEANUP_INTERVAL + 1500;

/** Losing a node (SIGKILL) or Redis itself (every master of a cluster), with three nodes in their own processes. */
describe.each(REDIS_BACKENDS)('Many nodes on %s: losing a node, losing Redis', (backend) => {
  let redis: RedisBackend;
  let a: ClusterNode;
  let b: ClusterNode;
  let c: ClusterNode;
  let clients: TestClient[];

  beforeAll(async () => {
    redis = await RedisBackend.start(backend);
    const options = { ...redis.nodeOptions, nodeTtl: NODE_TTL, cleanupInterval: CLEANUP_INTERVAL };
    [a, b, c] = await Promise.all([ClusterNode.start(options), ClusterNode.start(options), ClusterNode.start(options)]);
  });

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop(), c?.kill()]);
    await redis?.close();
  });

  beforeEach(() => {
    clients = [];
  });

  afterEach(async () => {
    await Promise.all(clients.map((client) => client.terminate()));
  });

  async function joined(node: ClusterNode, user: string, channel: string): Promise<TestClient> {
    const client = await TestClient.connect(`${node.ws}?user=${user}`);
    clients.push(client);
    expect(await client.request('channel:join', { channel, meta: { user } })).toMatchObject({ ok: true });
    return client;
  }

  it('removes the members of a node killed without goodbye, and the others see the leaves within the bound', async () => {
    const alice = await joined(a, 'alice', 'room:kill');
    const bob = await joined(b, 'bob', 'room:kill');
    const carolTabs = [await joined(c, 'carol', 'room:kill'), await joined(c, 'carol', 'room:kill')];
    for (const client of [alice, bob]) await new PresenceCopy(client, 'room:kill').becomes(['alice', 'bob', 'carol']);
    const marks = [alice.mark(), bob.mark()];

    const killedAt = Date.now();
    await c.kill();
    await Promise.all([alice, bob].map((client, i) => client.eventFrom(marks[i], 'presence:diff', (data) => data.leaves.carol?.last === true)));
    const elapsed = Date.now() - killedAt;

    expect(elapsed).toBeLessThan(LEAVE_BOUND);
    for (const [i, client] of [alice, bob].entries()) {
      const left = client.eventsSince('presence:diff', marks[i]).flatMap((diff) => diff.data.leaves.carol?.metas ?? []);
      expect(left.map((meta: { connectionId: string }) => meta.connectionId).sort()).toEqual(carolTabs.map((tab) => tab.connectionId).sort());
    }
    expect(Object.keys(await a.call('presence', 'room:kill')).sort()).toEqual(['alice', 'bob']);
    expect((await b.call('members', 'room:kill')).map((member: { clientId: string }) => member.clientId).sort()).toEqual(['alice', 'bob']);
    // Its connections are forgotten right after their leaves went out.
    await b.callUntil('isOnlineAnywhere', ['carol'], (online) => online === false);
    await a.callUntil('countAnywhere', [], (count) => count === 2);
  });

  it('keeps serving each node while Redis is down, then every node and client agrees: no ghost, no missing member', async () => {
    const alice = await joined(a, 'alice', 'room:outage');
    const bob = await joined(b, 'bob', 'room:outage');
    const dave = await joined(b, 'dave', 'room:outage');
    for (const client of [alice, bob]) await new PresenceCopy(client, 'room:outage').becomes(['alice', 'bob', 'dave']);

    await redis.stop();
    // Meanwhile: dave leaves node B (a ghost for node A's clients), erin comes to node A (missing for B's).
    const bobSees = new PresenceCopy(bob, 'room:outage');
    await dave.terminate();
    await bobSees.becomes(['alice', 'bob']);
    const erin = await joined(a, 'erin', 'room:outage');
    await new PresenceCopy(alice, 'room:outage').becomes(['alice', 'bob', 'dave', 'erin']);
    const during = erin.mark();
    await alice.request('channel:publish', { channel: 'room:outage', payload: 'while Redis is down' });
    expect((await erin.eventFrom(during, 'channel:message')).data.payload).toBe('while Redis is down');

    await redis.startAgain();

    const everyone = ['alice', 'bob', 'erin'];
    for (const client of [alice, bob, erin]) await new PresenceCopy(client, 'room:outage').becomes(everyone);
    for (const node of [a, b]) expect(Object.keys(await node.call('presence', 'room:outage')).sort()).toEqual(everyone);
    expect((await a.call('members', 'room:outage')).map((member: { clientId: string }) => member.clientId).sort()).toEqual(everyone);
    await b.callUntil('isOnlineAnywhere', ['dave'], (online) => online === false);
    expect(await b.call('isOnlineAnywhere', 'erin')).toBe(true);

    const after = bob.mark();
    await alice.request('channel:publish', { channel: 'room:outage', payload: 'Redis is back' });
    expect((await bob.eventFrom(after, 'channel:message')).data).toMatchObject({ payload: 'Redis is back', offset: 1 });
    // A whole cluster coming back takes longer: its masters agree again, then ioredis reconnects to each.
  }, 45_000);
});
