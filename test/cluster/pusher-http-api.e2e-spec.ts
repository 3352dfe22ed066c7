import { createServer, type Server } from 'http';
import type { AddressInfo } from 'net';
import PusherServer from 'pusher';
import { RedisEngine } from '@nest-realtime/redis';
import { RealtimePusherModule } from '@nest-realtime/pusher';
import { PusherWebhooksWatcher } from '../../libs/pusher/src/webhooks/pusher-webhooks.watcher';
import { RealtimeTestApp } from '../support/realtime-app';
import { REDIS_BACKENDS, RedisBackend } from '../support/redis-backend';

const APP = { id: 'cluster-http', key: 'cluster-http-key', secret: 'cluster-http-secret' };

/** Two nodes over one Redis or a Redis Cluster, each with the Pusher HTTP API: what one node is asked holds for both. */
describe.each(REDIS_BACKENDS)('the Pusher HTTP API on two nodes on %s', (backend) => {
  let redis: RedisBackend;
  let receiver: Server;
  const received: Array<Record<string, unknown>> = [];
  let a: RealtimeTestApp;
  let b: RealtimeTestApp;
  let api: PusherServer;

  beforeAll(async () => {
    redis = await RedisBackend.start(backend);
    receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push(...JSON.parse(Buffer.concat(chunks).toString()).events);
        response.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const webhooks = [{ url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/` }];
    const node = () =>
      RealtimeTestApp.start(
        { engine: new RedisEngine({ ...redis.engineOptions, keyPrefix: 'pusher-http:', logLevels: ['fatal'] }) },
        { imports: [RealtimePusherModule.forRoot({ apps: [{ ...APP, webhooks }] })] },
      );
    a = await node();
    b = await node();
    api = new PusherServer({ appId: APP.id, key: APP.key, secret: APP.secret, host: '127.0.0.1', port: new URL(a.http).port, useTLS: false });
  });

  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await new Promise((resolve) => receiver?.close(resolve));
    await redis?.close();
  });

  const settled = () => Promise.all([a, b].map((node) => node.get(PusherWebhooksWatcher).settled()));

  async function until(check: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + 5_000;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`${what} did not happen; webhooks: ${JSON.stringify(received)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  it("triggers on one node to a member of the other, and counts the other's members", async () => {
    const member = await b.connect();
    expect((await member.request('channel:join', { channel: 'everywhere' })).ok).toBe(true);
    await api.trigger('everywhere', 'hello', { from: 'a' });
    const frame = await member.eventFrom(0, 'channel:message', (data) => data.channel === 'everywhere');
    expect(frame.data.payload).toEqual({ event: 'hello', data: '{"from":"a"}' });
    expect(await (await api.get({ path: '/channels/everywhere', params: { info: 'subscription_count' } })).json()).toEqual({
      occupied: true,
      subscription_count: 1,
    });
  });

  it('reports a channel occupied once and vacated once, though its members join and leave on both nodes, each on its node', async () => {
    const onA = await a.connect();
    const onB = await b.connect();
    expect((await onA.request('channel:join', { channel: 'shared' })).ok).toBe(true);
    await settled();
    expect((await onB.request('channel:join', { channel: 'shared' })).ok).toBe(true);
    await settled();
    expect((await onA.request('channel:leave', { channel: 'shared' })).ok).toBe(true);
    await settled();
    expect((await onB.request('channel:leave', { channel: 'shared' })).ok).toBe(true);
    await settled();
    await until(() => received.some((event) => event.name === 'channel_vacated' && event.channel === 'shared'), 'channel_vacated');
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Each node sends its own batches: across nodes they may arrive in either order.
    expect(received.filter((event) => event.channel === 'shared').map((event) => event.name).sort()).toEqual(['channel_occupied', 'channel_vacated']);
  });
});
