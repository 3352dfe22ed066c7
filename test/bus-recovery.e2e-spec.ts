import Redis from 'ioredis';
import { RedisEngine } from '@nest-realtime/redis';
import { FrameSink, SinkNode } from './support/engine-sinks';
import { RealtimeTestApp } from './support/realtime-app';
import { RedisServer } from './support/redis-server';

const HISTORY = { size: 100, ttl: 60_000 };
/** ms node b waits before it connects again: the window in which its bus is down. */
const RECONNECT_DELAY = 400;

let redis: RedisServer;
let admin: Redis;
let nodes: Array<SinkNode<RedisEngine>> = [];

beforeAll(async () => {
  redis = await RedisServer.start();
  admin = new Redis(redis.url);
});

afterAll(async () => {
  await admin.quit();
  await redis.close();
});

beforeEach(() => admin.flushall());

afterEach(async () => {
  await Promise.all(nodes.map((node) => node.engine.close()));
  nodes = [];
});

function engineOf(nodeId: string): RedisEngine {
  return new RedisEngine({ url: redis.url, keyPrefix: 'test:', nodeId, logLevels: ['fatal'], redis: { retryStrategy: () => RECONNECT_DELAY } });
}

async function start(nodeId: string): Promise<SinkNode<RedisEngine>> {
  const engine = engineOf(nodeId);
  const node = new SinkNode(engine);
  await engine.bind(node);
  nodes.push(node);
  return node;
}

/** Joins a channel with history as the channel service does: the member stands at the channel's position. */
async function joinWithHistory(node: SinkNode<RedisEngine>, channel: string, id: string): Promise<FrameSink> {
  const sink = await node.member(channel, id);
  await node.engine.broker.position(channel, HISTORY);
  return sink;
}

function publish(node: SinkNode<RedisEngine>, channel: string, payload: string) {
  return node.engine.broker.publishMessage(channel, JSON.stringify({ channel, from: null, payload, at: 1 }), HISTORY);
}

/** Cuts a node's bus subscriber (Redis closes that one connection; the node connects again by itself). */
async function cutBus(nodeId: string): Promise<void> {
  const list = (await admin.client('LIST')) as string;
  const line = list.split('\n').find((entry) => entry.includes(` name=${nodeId}:bus `));
  if (!line) throw new Error(`no bus subscriber of node ${nodeId} in CLIENT LIST`);
  await admin.client('KILL', 'ID', /\bid=(\d+)/.exec(line)![1]);
}

async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const messages = (sink: FrameSink) =>
  sink.events().filter((frame) => frame.event === 'channel:message').map(({ data }) => [data.payload, data.offset]);
const gaps = (sink: FrameSink) => sink.events().filter((frame) => frame.event === 'channel:gap').map(({ data }) => data);

describe('a node whose bus subscriber was cut', () => {
  it('sends its members the messages of a channel with history they missed, in order and once, before the live ones', async () => {
    const a = await start('a');
    const b = await start('b');
    const reader = await joinWithHistory(b, 'news', 'reader');
    await publish(a, 'news', 'before');
    await within(reader.holds(1), 5000, 'the message before the cut');

    await cutBus('b');
    for (const payload of ['missed 1', 'missed 2', 'missed 3']) await publish(a, 'news', payload);
    expect(messages(reader)).toHaveLength(1);
    await within(reader.holds(4), 5000, 'the missed messages');
    await publish(a, 'news', 'after');
    await within(reader.holds(5), 5000, 'the message after the bus is back');

    expect(messages(reader)).toEqual([
      ['before', 1],
      ['missed 1', 2],
      ['missed 2', 3],
      ['missed 3', 4],
      ['after', 5],
    ]);
    expect(gaps(reader)).toEqual([]);
  });

  it('tells the members of a channel without history that they may have missed messages', async () => {
    const a = await start('a');
    const b = await start('b');
    const member = await b.member('room', 'member');

    await cutBus('b');
    await a.engine.broker.publish('room', Buffer.from('{"event":"lost"}'));
    await within(member.holds(1), 5000, 'the gap notice');

    expect(member.events()).toEqual([{ event: 'channel:gap', data: { channel: 'room', reason: 'no_history' } }]);
  });

  it("leaves the other nodes' members alone", async () => {
    const a = await start('a');
    const b = await start('b');
    const here = await a.member('room', 'here');
    const there = await b.member('room', 'there');

    await cutBus('b');
    await a.engine.broker.publish('room', Buffer.from('{"event":"live"}'));
    await within(there.holds(1), 5000, 'the gap notice on node b');
    await a.engine.broker.publish('room', Buffer.from('{"event":"marker"}'));
    await within(Promise.all([here.holds(2), there.holds(2)]), 5000, 'the marker on both nodes');

    expect(here.events().map((frame) => frame.event)).toEqual(['live', 'marker']);
    expect(there.events().map((frame) => frame.event)).toEqual(['channel:gap', 'marker']);
  });
});

describe('a node whose Redis came back empty', () => {
  it('tells the members of a channel with history that its history is gone', async () => {
    const b = await start('b');
    const reader = await joinWithHistory(b, 'news', 'reader');
    await publish(b, 'news', 'before');
    await within(reader.holds(1), 5000, 'the message before the restart');

    await redis.restart();
    await within(reader.holds(2), 10_000, 'the gap notice');

    const [gap] = gaps(reader);
    expect(gap.channel).toBe('news');
    expect(['epoch', 'unavailable']).toContain(gap.reason);
  });
});

describe('two applications on one Redis, one of which lost its bus for a while', () => {
  const channels = [{ pattern: 'news:*', history: HISTORY }, { pattern: 'room:*' }];
  let apps: RealtimeTestApp[] = [];

  afterEach(async () => {
    await Promise.all(apps.map((app) => app.close()));
    apps = [];
  });

  it("gives its client the news it missed, in order and once, and a gap in a room without history", async () => {
    apps = [await RealtimeTestApp.start({ engine: engineOf('a'), channels }), await RealtimeTestApp.start({ engine: engineOf('b'), channels })];
    const [publisher, reader] = [await apps[0].connect(), await apps[1].connect()];
    for (const channel of ['news:today', 'room:lobby']) {
      for (const client of [publisher, reader]) expect((await client.request('channel:join', { channel })).ok).toBe(true);
    }
    await publisher.request('channel:publish', { channel: 'news:today', payload: 'before' });
    await reader.eventFrom(0, 'channel:message', (data) => data.payload === 'before');

    await cutBus('b');
    for (const payload of ['missed 1', 'missed 2']) await publisher.request('channel:publish', { channel: 'news:today', payload });
    await publisher.request('channel:publish', { channel: 'room:lobby', payload: 'lost' });
    await reader.eventFrom(0, 'channel:gap');
    await publisher.request('channel:publish', { channel: 'news:today', payload: 'after' });
    await reader.eventFrom(0, 'channel:message', (data) => data.payload === 'after');

    const news = reader.eventsSince('channel:message').filter((frame) => frame.data.channel === 'news:today');
    expect(news.map((frame) => [frame.data.payload, frame.data.offset])).toEqual([
      ['before', 1],
      ['missed 1', 2],
      ['missed 2', 3],
      ['after', 4],
    ]);
    expect(reader.eventsSince('channel:gap').map((frame) => frame.data)).toEqual([{ channel: 'room:lobby', reason: 'no_history' }]);
    expect(reader.eventsSince('channel:message').filter((frame) => frame.data.channel === 'room:lobby')).toEqual([]);
  });
});
