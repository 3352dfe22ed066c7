import { createServer, type IncomingHttpHeaders, type Server } from 'http';
import type { AddressInfo } from 'net';
import { Test } from '@nestjs/testing';
import type { INestApplication, NestApplicationOptions } from '@nestjs/common';
import PusherServer from 'pusher';
import PusherClient, { type Channel, type PresenceChannel } from 'pusher-js';
import { ChannelService, RealtimeAdapter, RealtimeModule } from '@nest-realtime/core';
import { RealtimePusherModule, type PusherAppOptions } from '@nest-realtime/pusher';
import { signRequest } from '../libs/pusher/src/http/request-signature';
import { AUTH_FAILED } from '../libs/pusher/src/http/pusher-http.messages';
import { PusherWebhooksWatcher } from '../libs/pusher/src/webhooks/pusher-webhooks.watcher';
import { RealtimeTestApp } from './support/realtime-app';
import type { TestClient } from './support/test-client';

// Its channels keep their names in the core (with several apps each has its own prefix by default): native
// clients and Pusher clients meet in them.
const APP = { id: 'http-e2e', key: 'http-e2e-key', secret: 'http-e2e-secret', channelPrefix: '' };
const DISABLED = { id: 'http-off', key: 'http-off-key', secret: 'http-off-secret', enabled: false };

/** A real HTTP server that records the webhook requests it gets, raw body and all. */
class WebhookReceiver {
  readonly requests: Array<{ headers: IncomingHttpHeaders; rawBody: string }> = [];
  private constructor(private readonly server: Server) {}

  static async start(): Promise<WebhookReceiver> {
    const receiver: WebhookReceiver = new WebhookReceiver(
      createServer((request, response) => {
        const chunks: Buffer[] = [];
        request.on('data', (chunk: Buffer) => chunks.push(chunk));
        request.on('end', () => {
          receiver.requests.push({ headers: request.headers, rawBody: Buffer.concat(chunks).toString('utf8') });
          response.writeHead(200).end();
        });
      }),
    );
    await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/pusher/webhooks`;
  }

  /** Every event received so far, in order. */
  get events(): Array<Record<string, unknown>> {
    return this.requests.flatMap((request) => JSON.parse(request.rawBody).events);
  }

  async waitFor(match: (event: Record<string, unknown>) => boolean, timeoutMs = 5_000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find(match);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`No such webhook event; got ${JSON.stringify(this.events)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** The status and body of a rejected SDK call. */
async function refusal(call: Promise<unknown>): Promise<{ status: number; body: string }> {
  try {
    await call;
  } catch (error) {
    const { status, body } = error as { status: number; body: string };
    return { status, body };
  }
  throw new Error('the request was not refused');
}

/** `POST /events` with a body as given: the SDK JSON-encodes the body itself (its typings say string). */
const postEvent = (api: PusherServer, body: object) => api.post({ path: '/events', body: body as unknown as string });

const isPusherMessage = (channel: string, event: string) => (data: any) => data.channel === channel && data.payload?.event === event;

describe('the Pusher HTTP API, through the pusher server SDK', () => {
  let app: RealtimeTestApp;
  let receiver: WebhookReceiver;
  let api: PusherServer;
  let port: number;
  const pusherClients: PusherClient[] = [];

  const sdk = (options: Partial<{ appId: string; key: string; secret: string }> = {}) =>
    new PusherServer({ appId: APP.id, key: APP.key, secret: APP.secret, host: '127.0.0.1', port: String(port), useTLS: false, ...options });

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    const apps: PusherAppOptions[] = [{ ...APP, webhooks: [{ url: receiver.url }] }, DISABLED];
    app = await RealtimeTestApp.start({}, { imports: [RealtimePusherModule.forRoot({ apps })] });
    port = Number(new URL(app.http).port);
    api = sdk();
  });

  afterAll(async () => {
    for (const client of pusherClients) client.disconnect();
    await app?.close();
    await receiver?.close();
  });

  /** A native client, member of these channels. */
  async function nativeMember(...channels: string[]): Promise<TestClient> {
    const client = await app.connect();
    for (const channel of channels) expect((await client.request('channel:join', { channel })).ok).toBe(true);
    return client;
  }

  /** pusher-js (Node build), connected, its channel authorizations signed by the SDK as an app's /auth would. */
  async function pusherJs(user = 'someone'): Promise<PusherClient> {
    const client = new PusherClient(APP.key, {
      cluster: 'e2e',
      wsHost: '127.0.0.1',
      wsPort: port,
      forceTLS: false,
      enabledTransports: ['ws'],
      channelAuthorization: {
        endpoint: '/unused',
        transport: 'ajax',
        customHandler: ({ socketId, channelName }, callback) =>
          callback(null, api.authorizeChannel(socketId, channelName, channelName.startsWith('presence-') ? { user_id: user, user_info: { name: user } } : undefined)),
      },
    });
    pusherClients.push(client);
    await new Promise<void>((resolve) => client.connection.bind('connected', () => resolve()));
    return client;
  }

  function subscribed(client: PusherClient, name: string): Promise<Channel> {
    const channel = client.subscribe(name);
    return new Promise((resolve) => channel.bind('pusher:subscription_succeeded', () => resolve(channel)));
  }

  function nextEvent<T = unknown>(channel: Channel, event: string): Promise<T> {
    return new Promise((resolve) => channel.bind(event, (data: T) => resolve(data)));
  }

  describe('events', () => {
    it('triggers an event that a native member gets as a channel:message {event, data}', async () => {
      const native = await nativeMember('news');
      const response = await api.trigger('news', 'created', { id: 1 });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({});
      const frame = await native.eventFrom(0, 'channel:message', isPusherMessage('news', 'created'));
      expect(frame.data.payload).toEqual({ event: 'created', data: '{"id":1}' });
    });

    it('triggers to several channels at once and answers their info when asked', async () => {
      const native = await nativeMember('alpha', 'beta');
      const response = await api.trigger(['alpha', 'beta', 'gamma'], 'tick', 'plain text', { info: 'subscription_count' });
      expect(await response.json()).toEqual({
        channels: { alpha: { subscription_count: 1 }, beta: { subscription_count: 1 }, gamma: { subscription_count: 0 } },
      });
      await native.eventFrom(0, 'channel:message', isPusherMessage('alpha', 'tick'));
      const beta = await native.eventFrom(0, 'channel:message', isPusherMessage('beta', 'tick'));
      expect(beta.data.payload.data).toBe('plain text');
    });

    it('reaches pusher-js clients, all but the socket_id the trigger names', async () => {
      const [excluded, other] = await Promise.all([pusherJs(), pusherJs()]);
      const [excludedFeed, otherFeed] = await Promise.all([subscribed(excluded, 'feed'), subscribed(other, 'feed')]);
      const seenByExcluded: unknown[] = [];
      excludedFeed.bind('update', (data: unknown) => seenByExcluded.push(data));
      const otherGot = nextEvent(otherFeed, 'update');
      await api.trigger('feed', 'update', { n: 1 }, { socket_id: excluded.connection.socket_id });
      expect(await otherGot).toEqual({ n: 1 });
      // The next event reaches both: by then the first would have reached the excluded client too.
      const excludedGot = nextEvent(excludedFeed, 'update');
      await api.trigger('feed', 'update', { n: 2 });
      expect(await excludedGot).toEqual({ n: 2 });
      expect(seenByExcluded).toEqual([{ n: 2 }]);
    });

    it('triggers a batch, in order, and answers {batch} with each event\'s info', async () => {
      const native = await nativeMember('batch-a', 'batch-b');
      const response = await api.triggerBatch([
        { channel: 'batch-a', name: 'first', data: { n: 1 }, info: 'subscription_count' },
        { channel: 'batch-b', name: 'second', data: 'two' },
      ]);
      expect(await response.json()).toEqual({ batch: [{ subscription_count: 1 }, {}] });
      const first = await native.eventFrom(0, 'channel:message', isPusherMessage('batch-a', 'first'));
      const second = await native.eventFrom(0, 'channel:message', isPusherMessage('batch-b', 'second'));
      expect([first.data.payload.data, second.data.payload.data]).toEqual(['{"n":1}', 'two']);
      expect(await (await api.triggerBatch([{ channel: 'batch-a', name: 'x', data: '' }])).json()).toEqual({});
    });
  });

  describe('channels', () => {
    it('lists the occupied channels, filtered by prefix, with user and subscription counts', async () => {
      const native = await nativeMember('list-one');
      const channels = app.get(ChannelService);
      const second = await app.connect();
      await channels.join(native.connectionId, 'presence-list', { user_id: 'ann', user_info: { name: 'Ann' } });
      await channels.join(second.connectionId, 'presence-list', { user_id: 'ann', user_info: { name: 'Ann' } });

      const all = (await (await api.get({ path: '/channels' })).json()) as { channels: Record<string, object> };
      expect(all.channels['list-one']).toEqual({});
      expect(all.channels['presence-list']).toEqual({});

      const presence = await api.get({ path: '/channels', params: { filter_by_prefix: 'presence-list', info: 'user_count,subscription_count' } });
      expect(await presence.json()).toEqual({ channels: { 'presence-list': { user_count: 1, subscription_count: 2 } } });
    });

    it('refuses info=user_count over channels that are not all presence channels', async () => {
      expect(await refusal(api.get({ path: '/channels', params: { info: 'user_count' } }))).toMatchObject({ status: 400 });
    });

    it('tells of one channel: occupied, its users and subscriptions', async () => {
      const native = await nativeMember('one-channel');
      await app.get(ChannelService).join(native.connectionId, 'presence-one', { user_id: 'bo', user_info: {} });
      expect(await (await api.get({ path: '/channels/one-channel', params: { info: 'subscription_count' } })).json()).toEqual({
        occupied: true,
        subscription_count: 1,
      });
      expect(await (await api.get({ path: '/channels/presence-one', params: { info: 'user_count' } })).json()).toEqual({ occupied: true, user_count: 1 });
      expect(await (await api.get({ path: '/channels/nobody-here' })).json()).toEqual({ occupied: false });
      expect(await refusal(api.get({ path: '/channels/one-channel', params: { info: 'user_count' } }))).toMatchObject({ status: 400 });
    });

    it('lists the users of a presence channel once each, whatever their connections', async () => {
      const channels = app.get(ChannelService);
      const [a, b, c] = await Promise.all([app.connect(), app.connect(), app.connect()]);
      await channels.join(a.connectionId, 'presence-users', { user_id: 'u1', user_info: {} });
      await channels.join(b.connectionId, 'presence-users', { user_id: 'u1', user_info: {} });
      await channels.join(c.connectionId, 'presence-users', { user_id: 'u2', user_info: {} });
      const { users } = (await (await api.get({ path: '/channels/presence-users/users' })).json()) as { users: Array<{ id: string }> };
      expect(users.map((user) => user.id).sort()).toEqual(['u1', 'u2']);
      expect(await refusal(api.get({ path: '/channels/public-one/users' }))).toMatchObject({ status: 400 });
    });
  });

  describe('refusals', () => {
    it('refuses a wrong secret, a wrong key and an old timestamp with 401, saying which', async () => {
      const wrongSecret = await refusal(sdk({ secret: 'not-it' }).trigger('news', 'x', {}));
      expect(wrongSecret.status).toBe(401);
      expect(wrongSecret.body).toContain(AUTH_FAILED.signature);
      const wrongKey = await refusal(sdk({ key: 'not-it' }).get({ path: '/channels' }));
      expect(wrongKey.status).toBe(401);
      expect(wrongKey.body).toContain(AUTH_FAILED.key);

      const path = `/apps/${APP.id}/channels`;
      const query: Record<string, string> = { auth_key: APP.key, auth_timestamp: String(Math.floor(Date.now() / 1000) - 601), auth_version: '1.0' };
      query.auth_signature = signRequest(APP.secret, 'GET', path, query);
      const old = await fetch(`${app.http}${path}?${new URLSearchParams(query)}`);
      expect(old.status).toBe(401);
      expect(await old.text()).toContain('auth_timestamp');
    });

    it('refuses a body changed after signing with 401', async () => {
      const path = `/apps/${APP.id}/events`;
      const signed = api.createSignedQueryString({ method: 'POST', path, body: JSON.stringify({ name: 'e', data: 'a', channel: 'news' }) });
      const response = await fetch(`${app.http}${path}?${signed}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'e', data: 'b', channel: 'news' }),
      });
      expect(response.status).toBe(401);
      expect(await response.text()).toContain('body_md5');
    });

    it('refuses a request without a signature with 401', async () => {
      expect((await fetch(`${app.http}/apps/${APP.id}/channels`)).status).toBe(401);
    });

    it('answers 404 for an unknown app and 403 for a disabled one', async () => {
      expect(await refusal(sdk({ appId: 'no-such-app' }).trigger('news', 'x', {}))).toMatchObject({ status: 404 });
      const disabled = await refusal(sdk({ appId: DISABLED.id, key: DISABLED.key, secret: DISABLED.secret }).trigger('news', 'x', {}));
      expect(disabled.status).toBe(403);
    });

    it('answers 413 past 10 KB of data, 100 channels or 10 events, and 400 for a bad event', async () => {
      expect(await refusal(api.trigger('news', 'big', 'x'.repeat(10_241)))).toMatchObject({ status: 413 });
      const tooMany = Array.from({ length: 11 }, (_, index) => ({ channel: 'news', name: `e${index}`, data: '' }));
      expect(await refusal(api.triggerBatch(tooMany))).toMatchObject({ status: 413 });
      const channels = Array.from({ length: 101 }, (_, index) => `c${index}`);
      expect(await refusal(postEvent(api, { name: 'e', data: '', channels }))).toMatchObject({ status: 413 });
      expect(await refusal(postEvent(api, { name: 'e', channels: ['news'] }))).toMatchObject({ status: 400 });
      expect(await refusal(postEvent(api, { name: 'pusher:fake', data: '', channels: ['news'] }))).toMatchObject({ status: 400 });
    });
  });

  describe('webhooks', () => {
    const settled = () => app.get(PusherWebhooksWatcher).settled();

    it('reports channel_occupied and channel_vacated, signed so that the SDK accepts them', async () => {
      const native = await nativeMember('hooked');
      await receiver.waitFor((event) => event.name === 'channel_occupied' && event.channel === 'hooked');
      expect((await native.request('channel:leave', { channel: 'hooked' })).ok).toBe(true);
      await receiver.waitFor((event) => event.name === 'channel_vacated' && event.channel === 'hooked');
      const hooked = receiver.events.filter((event) => event.channel === 'hooked').map((event) => event.name);
      expect(hooked).toEqual(['channel_occupied', 'channel_vacated']);

      for (const request of receiver.requests) {
        const webhook = api.webhook({ headers: request.headers as Record<string, string>, rawBody: request.rawBody });
        expect(webhook.isValid()).toBe(true);
        expect(typeof webhook.getTime().getTime()).toBe('number');
      }
      const forged = receiver.requests.find((request) => request.rawBody.includes('"hooked"'))!;
      expect(api.webhook({ headers: forged.headers as Record<string, string>, rawBody: forged.rawBody.replace('hooked', 'hacked') }).isValid()).toBe(false);
    });

    it('reports member_added once per user, and member_removed when the last connection of the user leaves', async () => {
      const channels = app.get(ChannelService);
      const [a, b] = await Promise.all([app.connect(), app.connect()]);
      await channels.join(a.connectionId, 'presence-hooked', { user_id: 'zoe', user_info: {} });
      await channels.join(b.connectionId, 'presence-hooked', { user_id: 'zoe', user_info: {} });
      await receiver.waitFor((event) => event.name === 'member_added' && event.channel === 'presence-hooked');
      await channels.leave(a.connectionId, 'presence-hooked');
      await settled();
      await channels.leave(b.connectionId, 'presence-hooked');
      await receiver.waitFor((event) => event.name === 'member_removed' && event.channel === 'presence-hooked');
      const members = receiver.events.filter((event) => event.channel === 'presence-hooked' && String(event.name).startsWith('member_'));
      expect(members).toEqual([
        { name: 'member_added', channel: 'presence-hooked', user_id: 'zoe' },
        { name: 'member_removed', channel: 'presence-hooked', user_id: 'zoe' },
      ]);
    });

    it('reports the client events of pusher-js clients, with their socket_id and user_id', async () => {
      const [sender, listener] = await Promise.all([pusherJs('sam'), pusherJs('lee')]);
      const [room] = await Promise.all([subscribed(sender, 'presence-chat'), subscribed(listener, 'presence-chat')]);
      (room as PresenceChannel).trigger('client-typing', { typing: true });
      const event = await receiver.waitFor((candidate) => candidate.name === 'client_event' && candidate.channel === 'presence-chat');
      expect(event).toEqual({
        name: 'client_event',
        channel: 'presence-chat',
        event: 'client-typing',
        data: '{"typing":true}',
        socket_id: sender.connection.socket_id,
        user_id: 'sam',
      });
    });
  });
});

describe('the Pusher HTTP API and the raw body', () => {
  const RAW = { id: 'raw-e2e', key: 'raw-e2e-key', secret: 'raw-e2e-secret' };

  async function start(options: NestApplicationOptions): Promise<{ app: INestApplication; http: string }> {
    const moduleRef = await Test.createTestingModule({
      imports: [RealtimeModule.forRoot({}), RealtimePusherModule.forRoot({ apps: [RAW] })],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false, ...options });
    app.useWebSocketAdapter(new RealtimeAdapter(app));
    await app.listen(0, '127.0.0.1');
    return { app, http: `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}` };
  }

  /** A body whose bytes JSON.stringify would not give back (spaces, an escaped slash), signed over those bytes. */
  async function postVerbatim(http: string): Promise<{ status: number; body: string }> {
    const body = '{ "name": "e", "data": "a\\/b", "channel": "raw" }';
    const path = `/apps/${RAW.id}/events`;
    const api = new PusherServer({ appId: RAW.id, key: RAW.key, secret: RAW.secret, host: '127.0.0.1' });
    const response = await fetch(`${http}${path}?${api.createSignedQueryString({ method: 'POST', path, body })}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    return { status: response.status, body: await response.text() };
  }

  it.each([
    ['rawBody: true', { rawBody: true }],
    ['bodyParser: false', { bodyParser: false }],
  ])('verifies body_md5 over the bytes sent when the app is created with %s', async (_, options) => {
    const { app, http } = await start(options);
    try {
      expect((await postVerbatim(http)).status).toBe(200);
    } finally {
      await app.close();
    }
  });

  it('without either, refuses a body the JSON parser cannot give back byte for byte, and says what to do', async () => {
    const { app, http } = await start({});
    try {
      const response = await postVerbatim(http);
      expect(response.status).toBe(401);
      expect(JSON.parse(response.body).message).toBe(AUTH_FAILED.bodyMd5Reparsed);
    } finally {
      await app.close();
    }
  });
});
