import type Redis from 'ioredis';
import { RedisEngine, RedisEngineOptions } from '@nest-realtime/redis';
import type { RealtimeEngine } from '@nest-realtime/core/engine';
import { FrameSink as Sink, SinkNode } from './support/engine-sinks';
import { REDIS_BACKENDS, RedisBackend } from './support/redis-backend';
import { freePort } from './support/redis-server';

const HISTORY = { size: 5, ttl: 60_000 };

/** One node: a RedisEngine bound to a registry of sinks. */
class TestNode extends SinkNode<RedisEngine> {
  readonly resyncs: string[][] = [];

  static async start(where: RedisEngineOptions, nodeTtl = 1000): Promise<TestNode> {
    const node = new TestNode(new RedisEngine({ ...where, nodeTtl, keyPrefix: 'test:', logLevels: ['fatal'] }));
    node.engine.watch({ resynchronised: (channels) => node.resyncs.push(channels) });
    await node.engine.bind(node);
    return node;
  }
}

function body(channel: string, payload: unknown): string {
  return JSON.stringify({ channel, from: null, payload, at: 1 });
}

/** Resolves when `check` holds, polling the engine on each turn of the event loop (bounded by the test's timeout). */
async function eventually(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setImmediate(resolve));
}

describe.each(REDIS_BACKENDS)('RedisEngine on %s (two nodes in one process)', (backend) => {
  let redis: RedisBackend;
  let a: TestNode;
  let b: TestNode;
  let engines: RealtimeEngine[];

  beforeAll(async () => {
    redis = await RedisBackend.start(backend);
  });

  afterAll(() => redis.close());

  beforeEach(async () => {
    await redis.flush();
    a = await TestNode.start(redis.engineOptions);
    b = await TestNode.start(redis.engineOptions);
    engines = [a.engine, b.engine];
  });

  afterEach(async () => {
    await Promise.all(engines.map((engine) => engine.close()));
  });

  describe('channels', () => {
    it('delivers a publish on either node to the members on both, once each', async () => {
      const alice = await a.open('a1', 'alice');
      const bob = await b.open('b1', 'bob');
      await a.engine.memberships.join('room', alice, {});
      await b.engine.memberships.join('room', bob, {});

      expect(await a.engine.broker.publish('room', Buffer.from('{"event":"x","data":1}'))).toBe(2);
      expect(await b.engine.broker.publish('room', Buffer.from('{"event":"x","data":2}'))).toBe(2);
      await Promise.all([alice.holds(2), bob.holds(2)]);
      await a.engine.broker.publish('room', Buffer.from('{"event":"x","data":3}'));
      await Promise.all([alice.holds(3), bob.holds(3)]);

      expect(alice.frames).toEqual(bob.frames);
      expect(alice.events().map((frame) => frame.data)).toEqual([1, 2, 3]);
    });

    it('gives every member the same order when both nodes publish at once', async () => {
      const alice = await a.open('a1');
      const bob = await b.open('b1');
      await a.engine.memberships.join('room', alice, {});
      await b.engine.memberships.join('room', bob, {});

      await Promise.all(
        Array.from({ length: 50 }, (_, i) => (i % 2 ? a : b).engine.broker.publish('room', Buffer.from(`{"event":"x","data":${i}}`))),
      );
      await Promise.all([alice.holds(50), bob.holds(50)]);

      expect(alice.frames).toEqual(bob.frames);
      expect(new Set(alice.frames).size).toBe(50);
    });

    it('lists the members of every node, and holds a member limit across nodes', async () => {
      const alice = await a.open('a1', 'alice');
      const bob = await b.open('b1', 'bob');
      const carol = await b.open('b2', 'carol');

      expect(await a.engine.memberships.join('small', alice, { n: 1 }, 2)).toEqual({ created: true });
      expect(await b.engine.memberships.join('small', bob, { n: 2 }, 2)).toEqual({ created: true });
      expect(await b.engine.memberships.join('small', carol, {}, 2)).toEqual({ created: false, full: true });
      expect(await a.engine.memberships.join('small', alice, { n: 3 }, 2)).toEqual({ created: false });

      expect((await b.engine.memberships.members('small')).map(({ clientId, meta }) => ({ clientId, meta }))).toEqual([
        { clientId: 'alice', meta: { n: 3 } },
        { clientId: 'bob', meta: { n: 2 } },
      ]);
      expect(await b.engine.memberships.count('small')).toBe(2);
      expect(await b.engine.memberships.channelsOf('a1')).toEqual(['small']);
      await b.engine.broker.publish('small', Buffer.from('{"event":"x"}'));
      await alice.holds(1);
      expect(carol.frames).toEqual([]);
    });

    it('stops delivering to a member another node removed', async () => {
      const alice = await a.open('a1');
      const bob = await b.open('b1');
      await a.engine.memberships.join('room', alice, {});
      await b.engine.memberships.join('room', bob, {});

      expect(await b.engine.memberships.leave('room', 'a1')).toMatchObject({ connectionId: 'a1', clientId: 'a1' });
      await b.engine.broker.publish('room', Buffer.from('{"event":"after"}'));
      await bob.holds(1);
      await a.engine.broker.publish('room', Buffer.from('{"event":"after-2"}'));
      await bob.holds(2);

      expect(alice.frames).toEqual([]);
      expect(await a.engine.memberships.channelsOf('a1')).toEqual([]);
    });
  });

  describe('clients and connections', () => {
    it('sends to every connection of a client on every node, and to one connection wherever it is', async () => {
      const tab1 = await a.open('a1', 'alice');
      const tab2 = await b.open('b1', 'alice');

      expect(await b.engine.broker.sendToClient('alice', Buffer.from('{"event":"d"}'))).toBe(2);
      await Promise.all([tab1.holds(1), tab2.holds(1)]);
      expect(await b.engine.broker.sendToConnection('a1', Buffer.from('{"event":"k"}'))).toBe(true);
      await tab1.holds(2);
      expect(await b.engine.broker.sendToClient('nobody', Buffer.from('{}'))).toBe(0);
      expect(await b.engine.broker.sendToConnection('nowhere', Buffer.from('{}'))).toBe(false);
      expect(tab2.frames).toEqual(['{"event":"d"}']);
    });

    it('knows the connections of a client on every node, their state, and when the last one closed', async () => {
      await a.open('a1', 'alice');
      await b.open('b1', 'alice');
      await b.engine.directory.stateChanged('b1', 'idle');

      expect((await a.engine.directory.connectionsOf('alice')).map(({ connectionId, nodeId, state }) => ({ connectionId, nodeId, state }))).toEqual([
        { connectionId: 'a1', nodeId: a.engine.nodeId, state: 'connected' },
        { connectionId: 'b1', nodeId: b.engine.nodeId, state: 'idle' },
      ]);
      expect(await a.engine.directory.count()).toBe(2);
      expect(await a.engine.directory.closed('a1', 'alice')).toEqual({ lastOfClient: false });
      expect(await b.engine.directory.closed('b1', 'alice')).toEqual({ lastOfClient: true });
      expect(await a.engine.directory.connectionsOf('alice')).toEqual([]);
    });

    it('keeps groups for every node', async () => {
      expect(await a.engine.groups.add('admins', 'alice')).toBe(true);
      expect(await b.engine.groups.add('admins', 'alice')).toBe(false);
      await b.engine.groups.add('admins', 'bob');

      expect(await b.engine.groups.members('admins')).toEqual(['alice', 'bob']);
      expect(await b.engine.groups.groupsOf('alice')).toEqual(['admins']);
      expect(await a.engine.groups.remove('admins', 'alice')).toBe(true);
      expect(await b.engine.groups.members('admins')).toEqual(['bob']);
    });
  });

  describe('presence', () => {
    it('counts the metas of a client across nodes, so that first and last are right', async () => {
      const tab1 = await a.open('a1', 'alice');
      const tab2 = await b.open('b1', 'alice');
      await a.engine.memberships.join('room', tab1, {});
      await b.engine.memberships.join('room', tab2, {});

      const first = await a.engine.presence.set('room', 'alice', 'a1', { device: 'laptop' });
      const second = await b.engine.presence.set('room', 'alice', 'b1', { device: 'phone' });
      expect([first.countBefore, first.countAfter, second.countBefore, second.countAfter]).toEqual([0, 1, 1, 2]);
      expect(await b.engine.presence.state('room')).toEqual({ alice: { metas: [first.meta, second.meta] } });
      expect(await b.engine.presence.meta('room', 'a1')).toEqual({ clientId: 'alice', meta: first.meta });

      const leftOne = await a.engine.presence.remove('room', 'a1');
      const leftLast = await b.engine.presence.remove('room', 'b1');
      expect([leftOne?.countAfter, leftLast?.countAfter]).toEqual([1, 0]);
      expect(await a.engine.presence.state('room')).toEqual({});
    });
  });

  describe('history', () => {
    it('numbers the messages of a channel across nodes and gives back exactly those after an offset', async () => {
      const start = (await a.engine.broker.position('news', HISTORY))!;
      expect(start.offset).toBe(0);
      for (let i = 1; i <= 4; i++) {
        const { position } = await (i % 2 ? a : b).engine.broker.publishMessage('news', body('news', i), HISTORY);
        expect(position).toEqual({ offset: i, epoch: start.epoch });
      }

      const read = await b.engine.broker.historySince('news', { offset: 1, epoch: start.epoch }, HISTORY);
      expect('frames' in read && read.frames.map((frame) => JSON.parse(frame.toString()).data)).toEqual([2, 3, 4].map((i) => ({
        channel: 'news',
        from: null,
        payload: i,
        at: 1,
        offset: i,
        epoch: start.epoch,
      })));
      expect(await a.engine.broker.historySince('news', { offset: 4, epoch: start.epoch }, HISTORY)).toEqual({ frames: [], position: { offset: 4, epoch: start.epoch } });
    });

    it('says when the missed messages are no longer all kept, or belong to another epoch', async () => {
      const { epoch } = (await a.engine.broker.position('news', HISTORY))!;
      for (let i = 1; i <= 8; i++) await a.engine.broker.publishMessage('news', body('news', i), HISTORY);

      expect(await a.engine.broker.historySince('news', { offset: 2, epoch }, HISTORY)).toEqual({ lost: 'window' });
      expect(await a.engine.broker.historySince('news', { offset: 3, epoch }, HISTORY)).toMatchObject({ position: { offset: 8 } });
      expect(await a.engine.broker.historySince('news', { offset: 3, epoch: 'other' }, HISTORY)).toEqual({ lost: 'epoch' });
      expect(await a.engine.broker.historySince('news', { offset: 9, epoch }, HISTORY)).toEqual({ lost: 'epoch' });
    });

    it('starts a new epoch when the history is lost', async () => {
      const before = (await a.engine.broker.position('news', HISTORY))!;
      await a.engine.broker.publishMessage('news', body('news', 1), HISTORY);
      await redis.flush();

      const after = await a.engine.broker.publishMessage('news', body('news', 2), HISTORY);
      expect(after.position?.epoch).not.toBe(before.epoch);
      expect(after.position?.offset).toBe(1);
      expect(await a.engine.broker.historySince('news', { offset: 1, epoch: before.epoch }, HISTORY)).toEqual({ lost: 'epoch' });
    });
  });

  it('fails to start, saying where it looked and what to do, when Redis cannot be reached', async () => {
    const port = await freePort();
    const nowhere = backend === 'one Redis' ? { url: `redis://127.0.0.1:${port}` } : { cluster: { nodes: [`127.0.0.1:${port}`] } };
    const engine = new RedisEngine({ ...nowhere, connectTimeout: 500, logLevels: [] });
    const where = backend === 'one Redis' ? `redis://127\\.0\\.0\\.1:${port}` : `the cluster of 127\\.0\\.0\\.1:${port}`;

    await expect(engine.bind(a)).rejects.toThrow(new RegExp(`^RedisEngine: could not reach Redis at ${where} within 500 ms .*Start Redis, or point the engine at yours`));
    await engine.close();
  });

  it('hands a saved session to any node, once', async () => {
    const session = { clientId: 'alice', anonymous: false, channels: [{ channel: 'room', meta: { a: 1 } }] };
    await a.engine.sessions.save('t0k3n', session, 10_000);

    expect(await b.engine.sessions.take('t0k3n')).toEqual(session);
    expect(await a.engine.sessions.take('t0k3n')).toBeUndefined();
  });

  it('lets another node claim the connections of a node whose heartbeat expired, once', async () => {
    const c = await TestNode.start(redis.engineOptions, 300);
    const doomed = await c.open('c1', 'carol');
    await c.engine.memberships.join('room', doomed, {});
    // Cut without goodbye: the heartbeat stops, the keys stay.
    const cut = c.engine as unknown as { connection: { commands: Redis; subscriber: Redis }; liveness: { stop(): void } };
    cut.connection.commands.disconnect();
    cut.connection.subscriber.disconnect();
    cut.liveness.stop();

    let claimed: Awaited<ReturnType<RealtimeEngine['claimDeadNodes']>> = [];
    await eventually(async () => (claimed = await a.engine.claimDeadNodes()).length > 0);
    expect(claimed).toEqual([{ nodeId: c.engine.nodeId, connections: [{ connectionId: 'c1', clientId: 'carol' }] }]);
    expect(await b.engine.claimDeadNodes()).toEqual([]);

    await a.engine.forgetNode(c.engine.nodeId);
    expect(await a.engine.memberships.members('room')).toEqual([]);
    expect(await a.engine.directory.count()).toBe(0);
  });
});
