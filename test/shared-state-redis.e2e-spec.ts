import { ClusterNode } from './support/cluster/cluster-node';
import { useTwoNodeCluster } from './support/cluster/two-node-cluster';
import { REDIS_BACKENDS } from './support/redis-backend';
import type { TestClient } from './support/test-client';

/**
 * Shared state on two application nodes, each its own process, on one real Redis or a Redis Cluster: every
 * member on every node sees each write once, in the same order, whichever node made it.
 */
describe.each(REDIS_BACKENDS)('Shared state on many nodes (%s)', (backend) => {
  const cluster = useTwoNodeCluster({ backend });
  const connect = cluster.connect;
  let a: ClusterNode;
  let b: ClusterNode;
  beforeAll(() => ({ a, b } = cluster));

  async function ok(client: TestClient, event: string, data: unknown): Promise<any> {
    const reply = await client.request(event, data);
    expect(reply).toMatchObject({ ok: true });
    return reply.result;
  }

  async function joined(client: TestClient, channel: string): Promise<void> {
    const from = client.mark();
    await ok(client, 'channel:join', { channel });
    await client.eventFrom(from, 'state:snapshot', (data) => data.channel === channel && data.scope === undefined);
  }

  const diffs = (client: TestClient, channel: string) => client.eventsSince('state:diff').filter((frame) => frame.data.channel === channel).map((frame) => frame.data);

  it('sends a member that joins on one node the state written on the other', async () => {
    await a.call('stateSet', 'doc:snap', 'title', 'From A');
    const bob = await connect(b, 'bob');

    await joined(bob, 'doc:snap');

    expect(bob.eventsSince('state:snapshot')[0].data).toMatchObject({ channel: 'doc:snap', revision: 1, entries: { title: { value: 'From A', version: 1, by: null } } });
  });

  it('gives every member on every node each write once, in the same order, when both nodes write at once', async () => {
    const alice = await connect(a, 'alice');
    const bob = await connect(b, 'bob');
    const carol = await connect(b, 'carol');
    for (const client of [alice, bob, carol]) await joined(client, 'doc:burst');

    const burst = (from: string) =>
      Array.from({ length: 20 }, (_, i) => ({ event: 'state:set', data: { channel: 'doc:burst', key: i % 2 ? 'shared' : `${from}${i}`, value: `${from}${i}` } }));
    alice.sendTogether(burst('a'));
    bob.sendTogether(burst('b'));
    await Promise.all([alice, bob, carol].map((client) => client.eventFrom(0, 'state:diff', (data) => data.revision === 40)));
    await Promise.all([alice, bob, carol].map((client) => client.roundTrip()));

    const seen = [alice, bob, carol].map((client) => diffs(client, 'doc:burst'));
    expect(seen[0].map((diff) => diff.revision)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(seen[1]).toEqual(seen[0]);
    expect(seen[2]).toEqual(seen[0]);
    // Each writer's own writes keep the order it sent them in.
    const values = seen[0].map((diff) => (Object.values(diff.set)[0] as { value: string }).value);
    expect(values.filter((value) => value.startsWith('a'))).toEqual(burst('a').map((frame) => frame.data.value));
    // The shared key's versions count every write to it, from both nodes.
    expect(seen[0].flatMap((diff) => (diff.set.shared ? [diff.set.shared.version] : []))).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it('lets one compare-and-set win when two nodes race for the same version; the other gets conflict with the winner', async () => {
    const alice = await connect(a, 'alice');
    const bob = await connect(b, 'bob');
    await joined(alice, 'doc:race');
    await joined(bob, 'doc:race');

    const replies = await Promise.all([
      alice.request('state:set', { channel: 'doc:race', key: 'lock', value: 'alice', version: 0 }),
      bob.request('state:set', { channel: 'doc:race', key: 'lock', value: 'bob', version: 0 }),
    ]);

    const won = replies.filter((reply) => reply.ok);
    const lost = replies.filter((reply) => !reply.ok);
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    const winner = replies[0].ok ? 'alice' : 'bob';
    expect(won[0].result).toEqual({ channel: 'doc:race', key: 'lock', version: 1, revision: 1 });
    expect(lost[0].error).toMatchObject({ code: 'conflict', details: { version: 1, value: winner } });
    expect(await b.call('stateSnapshot', 'doc:race')).toMatchObject({ revision: 1, entries: { lock: { value: winner, by: winner } } });
  });

  it("reaches a member of a nested channel on the other node with an ancestor's change, under scope", async () => {
    await a.call('stateSet', 'org:acme', 'plan', 'pro');
    const bob = await connect(b, 'bob');
    await joined(bob, 'org:acme/team:web');
    expect(bob.eventsSince('state:snapshot').map((frame) => [frame.data.scope, frame.data.revision])).toEqual([
      ['org:acme', 1],
      [undefined, 0],
    ]);

    await a.call('stateSet', 'org:acme', 'plan', 'enterprise');

    expect((await bob.eventFrom(0, 'state:diff')).data).toMatchObject({
      channel: 'org:acme/team:web',
      scope: 'org:acme',
      revision: 2,
      set: { plan: { value: 'enterprise', version: 2 } },
    });
  });

  it('expires a key once for the whole cluster: members on both nodes get one expired diff', async () => {
    const alice = await connect(a, 'alice');
    const bob = await connect(b, 'bob');
    await joined(alice, 'doc:ttl');
    await joined(bob, 'doc:ttl');

    await ok(alice, 'state:set', { channel: 'doc:ttl', key: 'typing', value: true, ttl: 100 });
    await Promise.all([alice, bob].map((client) => client.eventFrom(0, 'state:diff', (data) => data.removed.length > 0)));
    await ok(alice, 'state:set', { channel: 'doc:ttl', key: 'after', value: 1 });
    await Promise.all([alice, bob].map((client) => client.eventFrom(0, 'state:diff', (data) => data.set.after)));

    for (const client of [alice, bob]) {
      expect(diffs(client, 'doc:ttl').map((diff) => [diff.revision, Object.keys(diff.set), diff.removed, diff.expired])).toEqual([
        [1, ['typing'], [], undefined],
        [2, [], ['typing'], ['typing']],
        [3, ['after'], [], undefined],
      ]);
    }
  });

  it("delivers a group's state written on one node to the group's clients on the other", async () => {
    const dave = await connect(b, 'dave');
    await a.call('groupStateSet', 'staff', 'banner', 'hello');
    await a.call('groupAdd', 'staff', 'dave');
    expect((await dave.eventFrom(0, 'state:snapshot')).data).toMatchObject({ group: 'staff', revision: 1, entries: { banner: { value: 'hello' } } });

    await a.call('groupStateSet', 'staff', 'banner', 'bye');

    expect((await dave.eventFrom(0, 'state:diff')).data).toMatchObject({ group: 'staff', revision: 2, set: { banner: { value: 'bye' } } });
  });

  it('resumes on the other node with exactly the changes the client missed', async () => {
    const alice = await connect(a, 'alice');
    await joined(alice, 'doc:resume');
    await ok(alice, 'state:set', { channel: 'doc:resume', key: 'a', value: 1 });
    const { epoch } = alice.eventsSince('state:snapshot')[0].data;
    await alice.eventFrom(0, 'state:diff');
    const { token } = alice.welcome.data.resume;
    await alice.terminate();
    await b.callUntil('members', ['doc:resume'], (members: unknown[]) => members.length === 0);
    await a.call('stateSet', 'doc:resume', 'a', 2);
    await a.call('stateSet', 'doc:resume', 'b', 3);

    const back = await connect(b, 'alice');
    const result = await ok(back, 'connection:resume', { token, state: { 'doc:resume': { 'doc:resume': { revision: 1, epoch } } } });
    await back.eventFrom(0, 'state:diff', (data) => data.revision === 3);
    await back.roundTrip();

    expect(result).toMatchObject({ resumed: true, channels: { 'doc:resume': { state: { 'doc:resume': { replayed: 2 } } } } });
    expect(diffs(back, 'doc:resume').map((diff) => diff.revision)).toEqual([2, 3]);
    expect(back.eventsSince('state:snapshot')).toEqual([]);
  });
});
