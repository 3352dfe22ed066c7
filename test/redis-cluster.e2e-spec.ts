import { Cluster } from 'ioredis';
import { RedisEngine } from '@nest-realtime/redis';
import { FrameSink, SinkNode } from './support/engine-sinks';
import { RedisCluster } from './support/redis-cluster';

const CHANNELS = Array.from({ length: 24 }, (_, i) => `room:${i}`);
const HISTORY = { size: 5, ttl: 60_000 };

function message(channel: string, payload: unknown): string {
  return JSON.stringify({ channel, from: null, payload, at: 1 });
}

async function eventually(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 50));
}

/** The layout of the engine's keys on a real three-master Redis Cluster, and a master that restarts empty. */
describe('RedisEngine on a three-master Redis Cluster', () => {
  let redis: RedisCluster;
  let admin: Cluster;
  let a: SinkNode<RedisEngine>;
  let b: SinkNode<RedisEngine>;

  beforeAll(async () => {
    redis = await RedisCluster.start(3);
    admin = new Cluster(redis.nodes);
    const start = async () => {
      const node = new SinkNode(new RedisEngine({ cluster: { nodes: redis.nodes }, nodeTtl: 1000, keyPrefix: 'slots:', logLevels: ['fatal'] }));
      await node.engine.bind(node);
      return node;
    };
    [a, b] = await Promise.all([start(), start()]);
    await admin.ping();
  });

  afterAll(async () => {
    await Promise.all([a?.engine.close(), b?.engine.close()]);
    admin?.disconnect();
    await redis?.stop();
  });

  /** A connection on each node, a member of every channel: the one on node A is returned. */
  async function membersOfEveryChannel(onA: string, onB: string): Promise<FrameSink> {
    const [first, second] = await Promise.all([a.open(onA), b.open(onB)]);
    for (const channel of CHANNELS) {
      await a.engine.memberships.join(channel, first, {});
      await b.engine.memberships.join(channel, second, {});
    }
    return first;
  }

  it('keeps every key of a channel in one slot, and spreads the channels over the masters', async () => {
    await membersOfEveryChannel('alice', 'bob');
    for (const channel of CHANNELS) {
      await a.engine.presence.set(channel, 'alice', 'alice', {});
      await b.engine.broker.publishMessage(channel, message(channel, 'hi'), HISTORY);
      await a.engine.state.write({ kind: 'channel', name: channel }, { op: 'set', key: 'k', value: 1, by: 'alice', at: Date.now() }, { maxKeys: 5, logSize: 5 });
    }

    const masters = admin.nodes('master');
    const held = await Promise.all(masters.map((master) => master.keys('slots:*')));
    const mastersOfChannels = new Set<number>();
    for (const channel of CHANNELS) {
      const keys = held.flat().filter((key) => key.endsWith(`{c:${channel}}`));
      // members, nodes-of, presence, pcount, pversion, history, hmeta, state, state-meta, state-log
      expect(keys).toHaveLength(10);
      const slots = new Set(await Promise.all(keys.map((key) => admin.cluster('KEYSLOT', key))));
      expect(slots.size).toBe(1);
      const holder = held.findIndex((keysOfMaster) => keysOfMaster.includes(keys[0]));
      expect(keys.every((key) => held[holder].includes(key))).toBe(true);
      expect(await masters[holder].cluster('COUNTKEYSINSLOT', [...slots][0] as number)).toBe(keys.length);
      mastersOfChannels.add(holder);
    }
    expect(mastersOfChannels.size).toBe(3);
  });

  it('writes its state back and delivers again once a master that lost it comes back', async () => {
    const carol = await membersOfEveryChannel('carol', 'dave');
    const lost = admin.nodes('master')[0];
    const held = (await lost.keys('slots:members:*')).map((key) => /\{c:(.*)\}$/.exec(key)![1]);
    expect(held.length).toBeGreaterThan(0);
    const node = `${lost.options.host}:${lost.options.port}`;

    await redis.kill(node);
    await redis.restart(node);
    // The masters take a few seconds to agree the restarted one is back, the nodes up to one slots refresh (5 s) to see it.

    const channel = held[0];
    await eventually(async () => (await b.engine.memberships.members(channel)).some((member) => member.connectionId === 'carol'));
    const frames = carol.frames.length;
    await eventually(async () => {
      await b.engine.broker.publish(channel, Buffer.from(JSON.stringify({ event: 'after', data: channel })));
      return carol.frames.length > frames;
    });
    expect(carol.frames.slice(frames)[0]).toBe(JSON.stringify({ event: 'after', data: channel }));
  }, 40_000);
});
