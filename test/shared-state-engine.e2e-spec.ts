import Redis from 'ioredis';
import { RedisEngine } from '@nest-realtime/redis';
import { MemoryEngine, stateDiffFrame } from '@nest-realtime/core/engine';
import { FrameSink, SinkNode } from './support/engine-sinks';
import type { RealtimeEngine, StateChange, StateOperation, StateTarget, StateWriteOutcome } from '@nest-realtime/core/engine';
import { RedisBackend } from './support/redis-backend';
import { RedisServer } from './support/redis-server';

const LIMITS = { maxKeys: 3, logSize: 3 };
const ROOM: StateTarget = { kind: 'channel', name: 'room' };
const TEAM: StateTarget = { kind: 'group', name: 'team' };
const BARRIER = '__barrier';

/** A connection as the engine sees it, keeping the frames written to it. */
class Sink extends FrameSink {
  diffs(): Array<Record<string, any>> {
    return this.events().filter((frame) => frame.event === 'state:diff').map((frame) => frame.data);
  }
}

/** A node of the cluster under test: its engine and the connections it holds. */
class TestNode extends SinkNode<RealtimeEngine, Sink> {
  barrier?: Sink;

  protected override createSink(id: string, clientId: string): Sink {
    return new Sink(id, clientId);
  }
}

/** Two nodes: two RedisEngines on one Redis or a Redis Cluster, or the memory engine serving as both (it is one node). */
interface Cluster {
  a: TestNode;
  b: TestNode;
  close(): Promise<void>;
}

async function memoryCluster(): Promise<Cluster> {
  const node = new TestNode(new MemoryEngine());
  node.engine.bind(node);
  node.barrier = await node.member(BARRIER, 'barrier');
  return { a: node, b: node, close: () => node.engine.close() };
}

async function redisCluster(backend: RedisBackend): Promise<Cluster> {
  await backend.flush();
  const start = async (name: string) => {
    const node = new TestNode(new RedisEngine({ ...backend.engineOptions, keyPrefix: 'test:', nodeId: name, logLevels: ['fatal'] }));
    await node.engine.bind(node);
    node.barrier = await node.member(BARRIER, `barrier-${name}`);
    return node;
  };
  const a = await start('a');
  const b = await start('b');
  return { a, b, close: async () => void (await Promise.all([a.engine.close(), b.engine.close()])) };
}

/**
 * Resolves once every frame routed before it reached both nodes: a node's bus delivers in order, so a
 * marker published now arrives after them.
 */
async function settle({ a, b }: Cluster): Promise<void> {
  const sinks = [...new Set([a.barrier!, b.barrier!])];
  const counts = sinks.map((sink) => sink.frames.length + 1);
  await a.engine.broker.publish(BARRIER, Buffer.from('{"event":"barrier"}'));
  await Promise.all(sinks.map((sink, i) => sink.holds(counts[i])));
}

function set(key: string, value: unknown, extra: { ttl?: number; expected?: number; at?: number } = {}): StateOperation {
  return { op: 'set', key, value, by: 'alice', at: extra.at ?? Date.now(), ttl: extra.ttl, expected: extra.expected };
}

function changeOf(outcome: StateWriteOutcome): StateChange {
  if (!outcome.ok) throw new Error(`the write was refused: ${outcome.reason}`);
  return outcome.change;
}

let redis: RedisBackend;
let redisCluster3: RedisBackend;

beforeAll(async () => {
  [redis, redisCluster3] = await Promise.all([RedisBackend.start('one Redis'), RedisBackend.start('a Redis Cluster')]);
});

afterAll(() => Promise.all([redis.close(), redisCluster3.close()]));

describe.each([
  ['MemoryEngine', () => memoryCluster()],
  ['RedisEngine (two nodes on a real Redis)', () => redisCluster(redis)],
  ['RedisEngine (two nodes on a real three-master Redis Cluster)', () => redisCluster(redisCluster3)],
])('SharedStateStore of the %s', (_name, makeCluster) => {
  let cluster: Cluster;
  let a: TestNode;
  let b: TestNode;

  beforeEach(async () => {
    cluster = await makeCluster();
    ({ a, b } = cluster);
  });

  afterEach(() => cluster.close());

  describe('writes', () => {
    it('counts versions per key and revisions per state, and refuses a write whose expected version is not the key’s', async () => {
      expect(await a.engine.state.write(ROOM, set('a', { n: 1 }, { at: 5 }), LIMITS)).toEqual({
        ok: true,
        version: 1,
        change: { revision: 1, set: { a: { value: { n: 1 }, version: 1, by: 'alice', at: 5 } }, removed: [] },
      });
      expect(await b.engine.state.write(ROOM, set('a', { n: 2 }), LIMITS)).toMatchObject({ ok: true, version: 2, change: { revision: 2 } });

      expect(await a.engine.state.write(ROOM, set('a', 'x', { expected: 1 }), LIMITS)).toEqual({ ok: false, reason: 'conflict', version: 2, value: { n: 2 } });
      expect(await a.engine.state.write(ROOM, set('a', 'x', { expected: 0 }), LIMITS)).toEqual({ ok: false, reason: 'conflict', version: 2, value: { n: 2 } });
      expect(await a.engine.state.write(ROOM, set('b', 'x', { expected: 1 }), LIMITS)).toEqual({ ok: false, reason: 'conflict', version: 0, value: null });
      expect(await b.engine.state.write(ROOM, set('a', 'x', { expected: 2 }), LIMITS)).toMatchObject({ ok: true, version: 3, change: { revision: 3 } });
      expect(await b.engine.state.write(ROOM, set('b', null, { expected: 0, at: 7 }), LIMITS)).toMatchObject({ ok: true, version: 1, change: { revision: 4 } });

      const snapshot = await a.engine.state.snapshot(ROOM);
      expect(snapshot).toEqual({
        entries: { a: expect.objectContaining({ value: 'x', version: 3 }), b: { value: null, version: 1, by: 'alice', at: 7 } },
        revision: 4,
        epoch: expect.any(String),
      });
      expect(await b.engine.state.snapshot(ROOM)).toEqual(snapshot);
    });

    it('refuses a new key past maxKeys, and still writes the keys it holds', async () => {
      for (const key of ['a', 'b', 'c']) await a.engine.state.write(ROOM, set(key, 1), LIMITS);

      expect(await b.engine.state.write(ROOM, set('d', 1), LIMITS)).toEqual({ ok: false, reason: 'full' });
      expect(await b.engine.state.write(ROOM, set('c', 2), LIMITS)).toMatchObject({ ok: true, version: 2, change: { revision: 4 } });
      await a.engine.state.write(ROOM, { op: 'delete', key: 'a' }, LIMITS);
      expect(await b.engine.state.write(ROOM, set('d', 1), LIMITS)).toMatchObject({ ok: true, version: 1 });
    });

    it('deletes a key, reports a missing one, and checks the expected version of a delete', async () => {
      await a.engine.state.write(ROOM, set('k', 1), LIMITS);

      expect(await b.engine.state.write(ROOM, { op: 'delete', key: 'k', expected: 3 }, LIMITS)).toEqual({ ok: false, reason: 'conflict', version: 1, value: 1 });
      expect(await b.engine.state.write(ROOM, { op: 'delete', key: 'k', expected: 1 }, LIMITS)).toEqual({
        ok: true,
        version: 0,
        change: { revision: 2, set: {}, removed: ['k'] },
      });
      expect(await a.engine.state.write(ROOM, { op: 'delete', key: 'k' }, LIMITS)).toEqual({ ok: false, reason: 'missing' });
      expect(await a.engine.state.write(ROOM, set('k', 2), LIMITS)).toMatchObject({ ok: true, version: 1, change: { revision: 3 } });
      expect(await a.engine.state.snapshot(ROOM)).toMatchObject({ revision: 3, entries: { k: { value: 2, version: 1 } } });
    });

    it('keeps the state of a group apart from the channel of the same name', async () => {
      await a.engine.state.write({ kind: 'channel', name: 'team' }, set('c', 1), LIMITS);
      await a.engine.state.write(TEAM, set('g', 1), LIMITS);

      expect(Object.keys((await b.engine.state.snapshot({ kind: 'channel', name: 'team' })).entries)).toEqual(['c']);
      expect(Object.keys((await b.engine.state.snapshot(TEAM)).entries)).toEqual(['g']);
    });
  });

  describe('deliveries', () => {
    it('sends each change once to the members of the channel and of the channels that follow it, with the scope set', async () => {
      const inRoom = await a.member('room', 'a1', 'alice');
      const inChild = await b.member('room/1', 'b1', 'bob');
      const elsewhere = await b.member('lobby', 'b2', 'carol');
      await a.engine.state.follow('room', 'room/1');
      await b.engine.state.follow('room', 'room/1');

      const first = await b.engine.state.write(ROOM, set('topic/main', 'hi'), LIMITS);
      const second = await a.engine.state.write(ROOM, { op: 'delete', key: 'topic/main' }, LIMITS);
      await settle(cluster);

      const changes = [first, second].map(changeOf);
      expect(inRoom.frames.filter((frame) => frame.includes('state:diff'))).toEqual(changes.map((change) => stateDiffFrame({ channel: 'room' }, change).toString()));
      expect(inChild.frames.filter((frame) => frame.includes('state:diff'))).toEqual(
        changes.map((change) => stateDiffFrame({ channel: 'room/1', scope: 'room' }, change).toString()),
      );
      expect(elsewhere.diffs()).toEqual([]);
    });

    it('stops sending a scope’s changes to a channel that unfollowed it', async () => {
      const inChild = await b.member('room/1', 'b1');
      await b.engine.state.follow('room', 'room/1');
      await a.engine.state.write(ROOM, set('k', 1), LIMITS);
      await settle(cluster);

      await b.engine.memberships.leave('room/1', 'b1');
      await b.engine.state.unfollow('room/1');
      await b.engine.memberships.join('room/1', inChild, {});
      await a.engine.state.write(ROOM, set('k', 2), LIMITS);
      await settle(cluster);

      expect(inChild.diffs().map((diff) => diff.revision)).toEqual([1]);
    });

    it('sends a group’s changes once to every connection of each of its clients, on every node', async () => {
      const tabs = [await a.open('a1', 'alice'), await b.open('b1', 'alice'), await b.open('b2', 'bob')];
      const outsider = await a.open('a2', 'carol');
      await a.engine.groups.add('team', 'alice');
      await a.engine.groups.add('team', 'bob');

      const outcome = await b.engine.state.write(TEAM, set('goal', 'ship'), LIMITS);
      await settle(cluster);

      const frame = stateDiffFrame({ group: 'team' }, changeOf(outcome)).toString();
      for (const tab of tabs) expect(tab.frames).toEqual([frame]);
      expect(outsider.frames).toEqual([]);
    });

    it('gives every member the same changes in the same order when both nodes write at once', async () => {
      const alice = await a.member('room', 'a1');
      const bob = await b.member('room', 'b1');

      const outcomes = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).engine.state.write(ROOM, set(`k${i % 3}`, i), LIMITS)));
      await settle(cluster);

      expect(outcomes.every((outcome) => outcome.ok)).toBe(true);
      expect(alice.diffs().map((diff) => diff.revision)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
      expect(bob.diffs()).toEqual(alice.diffs());
      const applied: Record<string, unknown> = {};
      for (const diff of alice.diffs()) Object.assign(applied, diff.set);
      expect(applied).toEqual((await a.engine.state.snapshot(ROOM)).entries);
    });
  });

  describe('changesSince', () => {
    it('gives the changes after a revision, none at the current one, and tells a lost window or epoch', async () => {
      const { epoch } = await a.engine.state.snapshot(ROOM);
      for (const value of [1, 2, 3, 4]) await (value % 2 ? a : b).engine.state.write(ROOM, set('k', value), LIMITS);

      expect(await b.engine.state.changesSince(ROOM, 2, epoch)).toEqual({
        changes: [expect.objectContaining({ revision: 3, set: { k: expect.objectContaining({ value: 3 }) } }), expect.objectContaining({ revision: 4 })],
        revision: 4,
      });
      expect(await a.engine.state.changesSince(ROOM, 1, epoch)).toMatchObject({ changes: [{ revision: 2 }, { revision: 3 }, { revision: 4 }] });
      expect(await a.engine.state.changesSince(ROOM, 4, epoch)).toEqual({ changes: [], revision: 4 });
      expect(await a.engine.state.changesSince(ROOM, 0, epoch)).toEqual({ lost: 'window' });
      expect(await a.engine.state.changesSince(ROOM, 2, 'another')).toEqual({ lost: 'epoch' });
      expect(await a.engine.state.changesSince(ROOM, 9, epoch)).toEqual({ lost: 'epoch' });
    });

    it('reads the same epoch on every node, from the first read on', async () => {
      const { epoch, revision } = await a.engine.state.snapshot(TEAM);
      await b.engine.state.write(TEAM, set('k', 1), LIMITS);

      expect(revision).toBe(0);
      expect((await b.engine.state.snapshot(TEAM)).epoch).toBe(epoch);
      expect(await b.engine.state.changesSince(TEAM, 0, epoch)).toMatchObject({ changes: [{ revision: 1 }], revision: 1 });
    });
  });

  describe('expire', () => {
    it('removes the keys whose ttl ran out once, however many nodes sweep, delivering them as expired', async () => {
      const alice = await a.member('room', 'a1');
      const bob = await b.member('room', 'b1');
      const at = Date.now();
      await a.engine.state.write(ROOM, set('x', 1, { at, ttl: 100 }), LIMITS);
      await b.engine.state.write(ROOM, set('y', 1, { at, ttl: 100 }), LIMITS);
      await b.engine.state.write(ROOM, set('z', 1, { at, ttl: 10_000 }), LIMITS);
      expect(await a.engine.state.write(ROOM, set('kept', 1, { at }), { ...LIMITS, maxKeys: 4 })).toMatchObject({ ok: true });
      expect((await a.engine.state.snapshot(ROOM)).entries.x).toEqual({ value: 1, version: 1, by: 'alice', at, expiresAt: at + 100 });

      await Promise.all([a.engine.state.expire(at + 99), b.engine.state.expire(at + 99)]);
      await Promise.all([a.engine.state.expire(at + 100), b.engine.state.expire(at + 100), a.engine.state.expire(at + 150)]);
      await settle(cluster);

      for (const sink of [alice, bob]) {
        expect(sink.diffs().slice(4)).toEqual([{ channel: 'room', revision: 5, set: {}, removed: ['x', 'y'], expired: ['x', 'y'] }]);
      }
      const snapshot = await b.engine.state.snapshot(ROOM);
      expect(Object.keys(snapshot.entries).sort()).toEqual(['kept', 'z']);
      expect(snapshot.revision).toBe(5);
      expect(await a.engine.state.changesSince(ROOM, 4, snapshot.epoch)).toEqual({
        changes: [{ revision: 5, set: {}, removed: ['x', 'y'], expired: ['x', 'y'] }],
        revision: 5,
      });
    });

    it('forgets the ttl of a key written again without one', async () => {
      const at = Date.now();
      await a.engine.state.write(TEAM, set('k', 1, { at, ttl: 50 }), LIMITS);
      await b.engine.state.write(TEAM, set('k', 2, { at }), LIMITS);

      await a.engine.state.expire(at + 1_000);

      expect(await b.engine.state.snapshot(TEAM)).toMatchObject({ revision: 2, entries: { k: { value: 2, version: 2 } } });
      expect((await b.engine.state.snapshot(TEAM)).entries.k.expiresAt).toBeUndefined();
    });
  });
});

describe('SharedStateStore of the RedisEngine while Redis is unreachable', () => {
  it('reports writes and catch-ups as unavailable and fails a snapshot saying why, then writes again once Redis is back', async () => {
    const server = await RedisServer.start();
    const engine = new RedisEngine({ url: server.url, keyPrefix: 'test:', logLevels: ['fatal'] });
    const node = new TestNode(engine);
    await engine.bind(node);
    const inChild = await node.member('room/1', 'c1');
    await engine.state.follow('room', 'room/1');
    const { epoch } = await engine.state.snapshot(ROOM);
    const reachable = async (up: boolean) => {
      while (engine.status().reachable !== up) await new Promise((resolve) => setTimeout(resolve, 10));
    };

    try {
      await server.stop();
      await reachable(false);
      expect(await engine.state.write(ROOM, set('k', 1), LIMITS)).toEqual({ ok: false, reason: 'unavailable' });
      expect(await engine.state.changesSince(ROOM, 0, epoch)).toEqual({ lost: 'unavailable' });
      await expect(engine.state.snapshot(ROOM)).rejects.toThrow(/unreachable/);
      await expect(engine.state.expire(Date.now())).resolves.toBeUndefined();

      // Redis comes back empty: the node writes its memberships, then its followings, back.
      await server.startAgain();
      await reachable(true);
      const admin = new Redis(server.url);
      while (!(await admin.sismember('test:state-followers:{c:room}', 'room/1'))) await new Promise((resolve) => setTimeout(resolve, 10));
      await admin.quit();

      expect(await engine.state.write(ROOM, set('k', 1), LIMITS)).toMatchObject({ ok: true, change: { revision: 1 } });
      expect(await engine.state.changesSince(ROOM, 0, epoch)).toEqual({ lost: 'epoch' });
      await inChild.holds(1);
      expect(inChild.diffs()).toEqual([expect.objectContaining({ channel: 'room/1', scope: 'room', revision: 1 })]);
    } finally {
      await engine.close();
      await server.close();
    }
  });
});
