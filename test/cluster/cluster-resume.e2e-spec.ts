import { RealtimeClient } from '@nest-realtime/client/node';
import { collectMessages } from '../support/client-waits';
import { ClusterNode } from '../support/cluster/cluster-node';
import { useTwoNodeCluster } from '../support/cluster/two-node-cluster';
import { GatedTransport } from '../support/gated-transport';
import { REDIS_BACKENDS, RedisBackend } from '../support/redis-backend';
import { TestClient } from '../support/test-client';

/** Resume across nodes: a client drops off one node and comes back on another, within the window. */
describe.each(REDIS_BACKENDS)('Many nodes on %s: resume on another node', (backend) => {
  const cluster = useTwoNodeCluster({ backend });
  const connect = cluster.connect;
  let redis: RedisBackend;
  let a: ClusterNode;
  let b: ClusterNode;
  beforeAll(() => ({ redis, a, b } = cluster));

  async function join(client: TestClient, channel: string): Promise<{ offset: number; epoch: string }> {
    const reply = await client.request('channel:join', { channel, meta: { user: client.clientId } });
    expect(reply).toMatchObject({ ok: true });
    return reply.result;
  }

  /** Drops a client's socket and resolves once its node released it (the watcher saw it leave): its session is kept by then. */
  async function drop(client: TestClient, watcher: TestClient, channel: string): Promise<void> {
    const mark = watcher.mark();
    await client.terminate();
    await watcher.eventFrom(mark, 'presence:diff', (data) => data.channel === channel && data.leaves[client.clientId]?.last === true);
  }

  function payloads(client: TestClient, from = 0): unknown[] {
    return client.eventsSince('channel:message', from).map((frame) => frame.data.payload);
  }

  it('replays to a client that drops and resumes on another node exactly the messages it missed, then the live ones', async () => {
    const watcher = await connect(b, 'watcher');
    await join(watcher, 'room:resume');
    const carol = await connect(a, 'carol');
    const { epoch } = await join(carol, 'room:resume');
    await b.call('publish', 'room:resume', 'm1');
    await watcher.request('channel:publish', { channel: 'room:resume', payload: 'm2' });
    await carol.eventFrom(0, 'channel:message', (data) => data.offset === 2);
    const { token } = carol.welcome.data.resume;

    await drop(carol, watcher, 'room:resume');
    for (const payload of ['m3', 'm4', 'm5']) await b.call('publish', 'room:resume', payload);
    await watcher.request('channel:publish', { channel: 'room:resume', payload: 'm6' });

    const back = await connect(b, 'carol');
    const reply = await back.request('connection:resume', { token, channels: { 'room:resume': { offset: 2, epoch } } });
    expect(reply).toEqual({ ok: true, result: { resumed: true, missed: 4, channels: { 'room:resume': { missed: 4, offset: 6, epoch } } } });
    expect(back.eventsSince('channel:message').map((frame) => [frame.data.offset, frame.data.payload])).toEqual([
      [3, 'm3'],
      [4, 'm4'],
      [5, 'm5'],
      [6, 'm6'],
    ]);
    const state = await back.eventFrom(0, 'presence:state');
    expect(Object.keys(state.data.presences).sort()).toEqual(['carol', 'watcher']);
    expect((await watcher.eventFrom(0, 'presence:diff', (data) => data.joins.carol)).data.joins.carol.metas[0]).toMatchObject({ user: 'carol' });

    const live = back.mark();
    await a.call('publish', 'room:resume', 'm7');
    await back.eventFrom(live, 'channel:message', (data) => data.payload === 'm7');
    await back.roundTrip();
    expect(payloads(back, live)).toEqual(['m7']);
    expect(await a.call('members', 'room:resume')).toEqual(
      expect.arrayContaining([{ clientId: 'carol', meta: { user: 'carol' } }, { clientId: 'watcher', meta: { user: 'watcher' } }]),
    );
  });

  it('says resumed: false, and restores nothing, when the history was lost or the missed messages are past the window', async () => {
    const watcher = await connect(b, 'watcher');
    await join(watcher, 'room:lost');
    await join(watcher, 'brief:window');
    const dan = await connect(a, 'dan');
    const lost = await join(dan, 'room:lost');
    const brief = await join(dan, 'brief:window');
    const { token } = dan.welcome.data.resume;
    await drop(dan, watcher, 'brief:window');

    // Redis loses the history of room:lost (flushed, replaced…): the next message starts a new epoch.
    const admin = await redis.admin();
    await admin.del('cluster-test:hmeta:{c:room:lost}', 'cluster-test:history:{c:room:lost}');
    await admin.quit();
    await b.call('publish', 'room:lost', 'after the loss');
    const back = await connect(b, 'dan');
    expect(await back.request('connection:resume', { token, channels: { 'room:lost': lost, 'brief:window': brief } })).toEqual({
      ok: true,
      result: { resumed: false, reason: 'history_lost', channel: 'room:lost' },
    });
    expect((await a.call('members', 'room:lost')).map((member: { clientId: string }) => member.clientId)).toEqual(['watcher']);
    expect(payloads(back)).toEqual([]);

    // brief:* keeps 3 messages: 4 missed cannot all be replayed.
    const eve = await connect(a, 'eve');
    const position = await join(eve, 'brief:window');
    await drop(eve, watcher, 'brief:window');
    for (const payload of ['w1', 'w2', 'w3', 'w4']) await b.call('publish', 'brief:window', payload);
    const eveBack = await connect(b, 'eve');
    expect(await eveBack.request('connection:resume', { token: eve.welcome.data.resume.token, channels: { 'brief:window': position } })).toEqual({
      ok: true,
      result: { resumed: false, reason: 'window', channel: 'brief:window' },
    });
    expect((await b.call('members', 'brief:window')).map((member: { clientId: string }) => member.clientId)).toEqual(['watcher']);
    await eveBack.roundTrip();
    expect(payloads(eveBack)).toEqual([]);
  });

  it('the client SDK resumes by itself on the node it reconnects to, and gets each missed message once', async () => {
    const watcher = await connect(b, 'watcher');
    await join(watcher, 'room:sdk');
    // The first connection goes to node A; the next ones, once the test lets them, to node B (as a load balancer would).
    const network = new GatedTransport((url) => url.replace(`:${a.port}/`, `:${b.port}/`));
    const client = new RealtimeClient({ url: a.ws, params: { user: 'sdk' }, transport: network.transport, reconnect: { baseDelay: 10, maxDelay: 10 } });
    try {
      await client.connect();
      const room = client.channel<string>('room:sdk');
      const { messages: received, count } = collectMessages(room);
      await room.join({});
      await b.call('publish', 'room:sdk', 'before');
      await count(1);

      const resumed = new Promise<unknown>((resolve) => room.on('joined', (joined) => joined.rejoined && resolve(joined)));
      const mark = watcher.mark();
      network.cut();
      await watcher.eventFrom(mark, 'presence:diff', (data) => data.leaves.sdk);
      for (const payload of ['missed 1', 'missed 2']) await b.call('publish', 'room:sdk', payload);
      network.allow();

      expect(await resumed).toEqual({ channel: 'room:sdk', rejoined: true, resumed: true });
      await b.call('publish', 'room:sdk', 'live');
      await count(4);
      expect(received.map((message) => [message.offset, message.payload])).toEqual([
        [1, 'before'],
        [2, 'missed 1'],
        [3, 'missed 2'],
        [4, 'live'],
      ]);
      expect(room.position).toEqual({ offset: 4, epoch: received[0].epoch });
      expect((await b.call('findAnywhere', 'sdk')).map((record: { nodeId: string }) => record.nodeId)).toEqual([b.nodeId]);
    } finally {
      client.close();
    }
  });
});
