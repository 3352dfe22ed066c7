import Redis from 'ioredis';
import type Pusher from 'pusher-js';
import { RedisEngine } from '@nest-realtime/redis';
import { PusherChannels, RealtimePusherModule } from '@nest-realtime/pusher';
import { userFromQuery } from './support/auth';
import { connected, next, PUSHER_APP, pusherClient, record, subscribed } from './support/pusher-clients';
import { RealtimeTestApp } from './support/realtime-app';
import { RedisServer } from './support/redis-server';

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `check` holds (bounded by the test's timeout). */
async function eventually(check: () => boolean): Promise<void> {
  while (!check()) await delay(20);
}

describe('the Pusher endpoint on two nodes sharing a Redis engine', () => {
  let redis: RedisServer;
  let nodes: RealtimeTestApp[];
  const clients: Pusher[] = [];

  beforeAll(async () => {
    redis = await RedisServer.start();
  });

  afterAll(() => redis.close());

  beforeEach(async () => {
    const admin = new Redis(redis.url);
    await admin.flushall();
    await admin.quit();
    nodes = await Promise.all(
      [1, 2].map(() =>
        RealtimeTestApp.start(
          {
            engine: new RedisEngine({ url: redis.url, keyPrefix: 'pusher-test:', logLevels: ['fatal'] }),
            authenticate: userFromQuery,
            presence: { batchMs: 0 },
            logLevels: ['fatal'],
          },
          { imports: [RealtimePusherModule.forRoot({ apps: [PUSHER_APP] })] },
        ),
      ),
    );
  });

  afterEach(async () => {
    for (const client of clients.splice(0)) client.disconnect();
    await Promise.all(nodes.map((node) => node.close()));
  });

  async function client(node: RealtimeTestApp, user?: string): Promise<Pusher> {
    const pusher = pusherClient(node, user === undefined ? {} : { user: { user_id: user, user_info: { name: user } } });
    clients.push(pusher);
    await connected(pusher);
    return pusher;
  }

  it('shows the members of a presence channel on both nodes, by user', async () => {
    const alice = await client(nodes[0], 'alice');
    const { channel } = await subscribed(alice, 'presence-room');
    const added = record(channel, 'pusher:member_added');
    const removed = record(channel, 'pusher:member_removed');

    const bobHere = await client(nodes[1], 'bob');
    const { data: members } = await subscribed(bobHere, 'presence-room');
    const bobThere = await client(nodes[0], 'bob');
    await subscribed(bobThere, 'presence-room');

    expect(members.members).toEqual({ alice: { name: 'alice' }, bob: { name: 'bob' } });
    await eventually(() => added.length > 0);
    bobHere.disconnect();
    await delay(200);
    expect(removed).toEqual([]);
    bobThere.disconnect();
    await eventually(() => removed.length > 0);
    expect(added).toEqual([{ id: 'bob', info: { name: 'bob' } }]);
    expect(removed).toEqual([{ id: 'bob', info: { name: 'bob' } }]);
  });

  it('carries client events to the other node, not back to the sender', async () => {
    const alice = await client(nodes[0]);
    const bob = await client(nodes[1]);
    const { channel: aliceChannel } = await subscribed(alice, 'private-chat');
    const { channel: bobChannel } = await subscribed(bob, 'private-chat');
    const echoed = record(aliceChannel, 'client-ping');
    const received = next(bobChannel, 'client-ping');

    aliceChannel.trigger('client-ping', { n: 1 });

    await expect(received).resolves.toEqual({ n: 1 });
    await delay(100);
    expect(echoed).toEqual([]);
  });

  it('leaves out the trigger\'s socket_id on whichever node holds it', async () => {
    const alice = await client(nodes[0]);
    const bob = await client(nodes[1]);
    const mine = record((await subscribed(alice, 'news')).channel, 'headline');
    const theirs = next((await subscribed(bob, 'news')).channel, 'headline');

    await nodes[1].get(PusherChannels).trigger(PUSHER_APP.id, ['news'], 'headline', 'x', alice.connection.socket_id);

    await expect(theirs).resolves.toBe('x');
    await delay(100);
    expect(mine).toEqual([]);
  });
});
