import { ClusterNode } from '../support/cluster/cluster-node';
import { useTwoNodeCluster } from '../support/cluster/two-node-cluster';
import { REDIS_BACKENDS } from '../support/redis-backend';
import { TestClient } from '../support/test-client';

/**
 * Two application nodes, each its own process, on one real Redis or a real Redis Cluster: what a member of
 * one node does reaches the members of the other as if they were on one server.
 */
describe.each(REDIS_BACKENDS)('Many nodes on %s: channels, presence, direct messages, groups', (backend) => {
  const cluster = useTwoNodeCluster({ backend });
  const connect = cluster.connect;
  let a: ClusterNode;
  let b: ClusterNode;
  beforeAll(() => ({ a, b } = cluster));

  async function join(client: TestClient, channel: string, meta: Record<string, unknown> = {}): Promise<any> {
    const reply = await client.request('channel:join', { channel, meta });
    expect(reply).toMatchObject({ ok: true });
    return reply.result;
  }

  it('delivers a message published on one node to the members on every node, once, with its offset', async () => {
    const alice = await connect(a, 'alice');
    const bob = await connect(b, 'bob');
    const { epoch } = await join(alice, 'room:hello');
    await join(bob, 'room:hello');

    await alice.request('channel:publish', { channel: 'room:hello', payload: 'hi from A' });
    await bob.request('channel:publish', { channel: 'room:hello', payload: 'hi from B' });
    await Promise.all([alice, bob].map((client) => client.eventFrom(0, 'channel:message', (data) => data.payload === 'hi from B')));
    await Promise.all([alice.roundTrip(), bob.roundTrip()]);

    for (const client of [alice, bob]) {
      expect(client.eventsSince('channel:message').map((frame) => frame.data)).toEqual([
        { channel: 'room:hello', from: 'alice', payload: 'hi from A', at: expect.any(Number), offset: 1, epoch },
        { channel: 'room:hello', from: 'bob', payload: 'hi from B', at: expect.any(Number), offset: 2, epoch },
      ]);
    }
  });

  it('gives every member on every node the same order when members on both nodes publish at once', async () => {
    const alice = await connect(a, 'alice');
    const bob = await connect(b, 'bob');
    const carol = await connect(b, 'carol');
    for (const client of [alice, bob, carol]) await join(client, 'room:burst');

    const burst = (from: string) => Array.from({ length: 20 }, (_, i) => ({ event: 'channel:publish', data: { channel: 'room:burst', payload: `${from}${i}` } }));
    alice.sendTogether(burst('a'));
    bob.sendTogether(burst('b'));
    const last = (client: TestClient) => client.eventFrom(0, 'channel:message', (data) => data.offset === 40);
    await Promise.all([alice, bob, carol].map(last));

    const seen = [alice, bob, carol].map((client) => client.eventsSince('channel:message').map((frame) => `${frame.data.offset}:${frame.data.payload}`));
    expect(seen[0]).toHaveLength(40);
    expect(seen[1]).toEqual(seen[0]);
    expect(seen[2]).toEqual(seen[0]);
    expect(seen[0].map((entry) => Number(entry.split(':')[0]))).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    // Each publisher's own messages keep the order it sent them in.
    expect(seen[0].filter((entry) => entry.includes(':a')).map((entry) => entry.split(':')[1])).toEqual(burst('a').map((frame) => frame.data.payload));
  });

  it('shows the same presence on every node, with first and last across nodes', async () => {
    const alice = await connect(a, 'alice');
    await join(alice, 'room:who', { name: 'Alice' });
    const bobOnB = await connect(b, 'bob');
    const joined = await join(bobOnB, 'room:who', { name: 'Bob' });
    expect(Object.keys(joined.presence).sort()).toEqual(['alice', 'bob']);
    expect((await alice.eventFrom(0, 'presence:diff', (data) => data.joins.bob)).data.joins.bob).toMatchObject({ first: true });

    const bobOnA = await connect(a, 'bob');
    const secondTab = alice.mark();
    await join(bobOnA, 'room:who', { name: 'Bob' });
    expect((await alice.eventFrom(secondTab, 'presence:diff', (data) => data.joins.bob)).data.joins.bob.first).toBeUndefined();
    expect(await b.call('presence', 'room:who')).toEqual(await a.call('presence', 'room:who'));

    const firstLeave = alice.mark();
    await bobOnB.request('channel:leave', { channel: 'room:who' });
    expect((await alice.eventFrom(firstLeave, 'presence:diff', (data) => data.leaves.bob)).data.leaves.bob.last).toBeUndefined();
    const lastLeave = alice.mark();
    await bobOnA.request('channel:leave', { channel: 'room:who' });
    expect((await alice.eventFrom(lastLeave, 'presence:diff', (data) => data.leaves.bob)).data.leaves.bob).toMatchObject({ last: true });
    expect(Object.keys(await b.call('presence', 'room:who'))).toEqual(['alice']);
  });

  it('sends a direct message and a group broadcast to every connection of a client, on every node, once', async () => {
    const daveOnA = await connect(a, 'dave');
    const daveOnB = await connect(b, 'dave');
    const erin = await connect(b, 'erin');

    expect(await erin.request('direct:send', { to: 'dave', payload: 'psst' })).toEqual({ ok: true, result: { to: 'dave', delivered: 2 } });
    for (const tab of [daveOnA, daveOnB]) expect((await tab.eventFrom(0, 'direct:message')).data).toMatchObject({ from: 'erin', payload: 'psst' });

    await a.call('groupAdd', 'ops', 'dave');
    await b.call('groupAdd', 'ops', 'erin');
    expect(await b.call('groupMembers', 'ops')).toEqual(['dave', 'erin']);
    expect(await a.call('broadcast', 'ops', 'system:notice', { text: 'deploy' })).toBe(3);
    for (const client of [daveOnA, daveOnB, erin]) {
      await client.eventFrom(0, 'system:notice');
      await client.roundTrip();
      expect(client.eventsSince('system:notice')).toEqual([{ event: 'system:notice', data: { text: 'deploy' } }]);
    }
  });

  it('lets server code on any node see the whole cluster: members, who is online where, in which state', async () => {
    const frank = await connect(a, 'frank');
    await join(frank, 'room:svc', { desk: 4 });

    expect(await b.call('members', 'room:svc')).toEqual([{ clientId: 'frank', meta: { desk: 4 } }]);
    expect(await b.call('isOnlineAnywhere', 'frank')).toBe(true);
    expect(await b.call('isOnlineAnywhere', 'nobody')).toBe(false);
    expect(await b.call('findAnywhere', 'frank')).toEqual([
      { connectionId: frank.connectionId, clientId: 'frank', nodeId: a.nodeId, state: 'connected', connectedAt: expect.any(Number) },
    ]);
    // The clients of the tests before are released a moment after they closed.
    await b.callUntil('countAnywhere', [], (count) => count === 1);

    await frank.request('connection:state', { state: 'idle' });
    await b.callUntil<Array<{ state: string }>>('findAnywhere', ['frank'], (records) => records[0]?.state === 'idle');
    await frank.terminate();
    await b.callUntil('isOnlineAnywhere', ['frank'], (online) => online === false);
    expect(await b.call('members', 'room:svc')).toEqual([]);
  });

  it('removes a member of another node from a channel, which then gets nothing more of it', async () => {
    const gina = await connect(a, 'gina');
    const hank = await connect(b, 'hank');
    await join(gina, 'room:kick');
    await join(hank, 'room:kick');

    expect(await b.call('kick', 'room:kick', 'gina')).toBe(1);
    expect((await gina.eventFrom(0, 'channel:kicked')).data).toEqual({ channel: 'room:kick', reason: 'kicked in a test' });
    await b.call('publish', 'room:kick', 'after the kick');
    await hank.eventFrom(0, 'channel:message', (data) => data.payload === 'after the kick');
    await a.call('publish', 'room:kick', 'from A too');
    await hank.eventFrom(0, 'channel:message', (data) => data.payload === 'from A too');
    await gina.roundTrip();
    expect(gina.eventsSince('channel:message')).toEqual([]);
  });

  it('holds a channel member limit across nodes', async () => {
    const ivan = await connect(a, 'ivan');
    const judy = await connect(b, 'judy');
    const kim = await connect(a, 'kim');
    await join(ivan, 'small:table');
    await join(judy, 'small:table');

    expect(await kim.request('channel:join', { channel: 'small:table' })).toMatchObject({ ok: false, error: { code: 'limit' } });
  });
});
