import fc from 'fast-check';
import { WebSocket } from 'ws';
import type Pusher from 'pusher-js';
import { ChannelService, ConnectionService } from '@nest-realtime/core';
import { PusherChannels, PusherErrorCode, RealtimePusherModule } from '@nest-realtime/pusher';
import { userFromQuery } from './support/auth';
import { connected, next, portOf, PUSHER_APP, pusherClient, RawPusherSocket, record, subscribed } from './support/pusher-clients';
import { RealtimeTestApp } from './support/realtime-app';

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the Pusher endpoint, with pusher-js', () => {
  let rt: RealtimeTestApp;
  const clients: Pusher[] = [];
  const sockets: RawPusherSocket[] = [];

  beforeEach(async () => {
    rt = await RealtimeTestApp.start(
      {
        authenticate: userFromQuery,
        // Native members of presence-lobby: the application's own rule, with its authorizer.
        channels: [{ pattern: 'presence-lobby', presence: true, authorize: () => true }],
        presence: { batchMs: 0 },
      },
      { imports: [RealtimePusherModule.forRoot({ apps: [{ ...PUSHER_APP, clientEventsPerSecond: 5 }], activityTimeout: 30 })] },
    );
  });

  afterEach(async () => {
    for (const client of clients.splice(0)) client.disconnect();
    for (const socket of sockets.splice(0)) socket.close();
    await rt.close();
  });

  async function client(options: Parameters<typeof pusherClient>[1] = {}): Promise<Pusher> {
    const pusher = pusherClient(rt, options);
    clients.push(pusher);
    await connected(pusher);
    return pusher;
  }

  async function raw(path?: string): Promise<RawPusherSocket> {
    const socket = await RawPusherSocket.open(rt, path);
    sockets.push(socket);
    return socket;
  }

  describe('connection', () => {
    it('establishes with a socket_id in the 123.456 form and the activity timeout', async () => {
      const socket = await raw();
      const established = await socket.event('pusher:connection_established');

      expect(established.data).toEqual({ socket_id: expect.stringMatching(/^\d+\.\d+$/), activity_timeout: 30 });
    });

    it('answers pusher:ping with pusher:pong', async () => {
      const socket = await raw();
      await socket.event('pusher:connection_established');

      socket.send({ event: 'pusher:ping', data: {} });

      await expect(socket.event('pusher:pong')).resolves.toMatchObject({ event: 'pusher:pong' });
    });

    it('connects pusher-js and counts its connection among the core connections', async () => {
      const pusher = await client();

      expect(pusher.connection.socket_id).toMatch(/^\d+\.\d+$/);
      expect(rt.get(ConnectionService).list().map((info) => info.clientId)).toContain(pusher.connection.socket_id);
    });

    it('refuses an unknown app key with pusher:error 4001, then closes with 4001', async () => {
      const socket = await raw('/app/no-such-key?protocol=7');

      const error = await socket.event('pusher:error');
      const closed = await socket.closed;

      expect(error.data).toEqual({ code: PusherErrorCode.AppNotFound, message: expect.stringContaining('no-such-key') });
      expect(closed.code).toBe(4001);
    });

    it('leaves pusher-js with an unknown key failed, not reconnecting', async () => {
      const pusher = pusherClient(rt, { key: 'no-such-key' });
      clients.push(pusher);
      const error = next(pusher.connection, 'error');

      await expect(error).resolves.toMatchObject({ error: { data: { code: 4001 } } });
      await delay(300);
      expect(['failed', 'unavailable', 'disconnected']).toContain(pusher.connection.state);
    });

    it('refuses a key with a malformed escape as an unknown key', async () => {
      const socket = await raw('/app/%E0%A4%A?protocol=7');

      expect((await socket.event('pusher:error')).data.code).toBe(PusherErrorCode.AppNotFound);
      expect((await socket.closed).code).toBe(4001);
    });

    it('refuses, like the native endpoint, a browser page of an origin the core does not allow (403 at the upgrade)', async () => {
      const upgrade = (origin: string) =>
        new Promise<number>((resolve, reject) => {
          const socket = new WebSocket(`ws://127.0.0.1:${portOf(rt)}/app/${PUSHER_APP.key}?protocol=7`, { headers: { origin } });
          socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
          socket.on('open', () => {
            socket.close();
            resolve(101);
          });
          socket.on('error', reject);
        });

      expect(await upgrade('https://evil.example')).toBe(403);
      expect(await upgrade(`http://127.0.0.1:${portOf(rt)}`)).toBe(101);
    });

    it('refuses a protocol version it does not speak with 4007', async () => {
      const socket = await raw(`/app/${PUSHER_APP.key}?protocol=2`);

      expect((await socket.event('pusher:error')).data.code).toBe(4007);
      expect((await socket.closed).code).toBe(4007);
    });
  });

  describe('public channels', () => {
    it('delivers events triggered by server code (PusherChannels.trigger)', async () => {
      const pusher = await client();
      const { channel } = await subscribed(pusher, 'news');
      const event = next(channel, 'headline');

      await rt.get(PusherChannels).trigger(PUSHER_APP.id, ['news'], 'headline', JSON.stringify({ title: 'Hello' }));

      await expect(event).resolves.toEqual({ title: 'Hello' });
    });

    it('leaves out the connection of the socket_id given to trigger', async () => {
      const first = await client();
      const second = await client();
      const mine = record((await subscribed(first, 'news')).channel, 'headline');
      const theirs = next((await subscribed(second, 'news')).channel, 'headline');

      await rt.get(PusherChannels).trigger(PUSHER_APP.id, ['news'], 'headline', { n: 1 }, first.connection.socket_id);

      await expect(theirs).resolves.toEqual({ n: 1 });
      await delay(100);
      expect(mine).toEqual([]);
    });

    it('stops delivering after an unsubscribe', async () => {
      const pusher = await client();
      const { channel } = await subscribed(pusher, 'news');
      const seen = record(channel, 'headline');

      pusher.unsubscribe('news');
      await delay(100);
      await rt.get(PusherChannels).trigger(PUSHER_APP.id, ['news'], 'headline', 'late');
      await delay(100);

      expect(seen).toEqual([]);
    });
  });

  describe('private channels', () => {
    it('subscribes with a valid signature', async () => {
      const pusher = await client();

      await expect(subscribed(pusher, 'private-orders')).resolves.toBeDefined();
    });

    it('refuses a forged signature with pusher:subscription_error and delivers nothing', async () => {
      const honest = await client();
      const forger = await client({ secret: 'not-the-secret' });
      const { channel: honestChannel } = await subscribed(honest, 'private-orders');
      const channel = forger.subscribe('private-orders');
      const seen = record(channel, 'client-spy');

      const error = await next(channel, 'pusher:subscription_error');
      honestChannel.trigger('client-spy', { secret: true });
      await delay(100);

      expect(error).toMatchObject({ type: 'AuthError', status: 401 });
      expect(seen).toEqual([]);
    });
  });

  describe('presence channels', () => {
    it('gives a subscriber the members, itself included', async () => {
      const alice = await client({ user: { user_id: 'alice', user_info: { name: 'Alice' } } });
      await subscribed(alice, 'presence-room');
      const bob = await client({ user: { user_id: 'bob', user_info: { name: 'Bob' } } });

      const { data: members } = await subscribed(bob, 'presence-room');

      expect(members.count).toBe(2);
      expect(members.me).toEqual({ id: 'bob', info: { name: 'Bob' } });
      expect(members.members).toEqual({ alice: { name: 'Alice' }, bob: { name: 'Bob' } });
    });

    it('announces member_added with a user\'s first connection and member_removed with its last, once each', async () => {
      const alice = await client({ user: { user_id: 'alice' } });
      const { channel } = await subscribed(alice, 'presence-room');
      const added = record(channel, 'pusher:member_added');
      const removed = record(channel, 'pusher:member_removed');

      const bobPhone = await client({ user: { user_id: 'bob', user_info: { device: 'phone' } } });
      await subscribed(bobPhone, 'presence-room');
      const bobLaptop = await client({ user: { user_id: 'bob', user_info: { device: 'laptop' } } });
      await subscribed(bobLaptop, 'presence-room');
      await delay(100);
      expect(added).toEqual([{ id: 'bob', info: { device: 'phone' } }]);

      bobPhone.disconnect();
      await delay(200);
      expect(removed).toEqual([]);

      bobLaptop.disconnect();
      await delay(200);
      expect(removed).toEqual([{ id: 'bob', info: { device: 'phone' } }]);
      expect(added).toHaveLength(1);
    });

    it('refuses channel_data that does not match the signature', async () => {
      const socket = await raw();
      await socket.event('pusher:connection_established');
      const { authToken, channelAuthText } = await import('@nest-realtime/pusher');
      const signed = JSON.stringify({ user_id: 'alice' });
      const auth = authToken(PUSHER_APP, channelAuthText(socket.socketId, 'presence-room', signed));

      socket.send({ event: 'pusher:subscribe', data: { channel: 'presence-room', auth, channel_data: JSON.stringify({ user_id: 'admin' }) } });

      const error = await socket.event('pusher:subscription_error');
      expect(error).toMatchObject({ channel: 'presence-room', data: { type: 'AuthError', status: 401 } });
    });
  });

  describe('client events', () => {
    it('reach the other members of a private channel, not the sender', async () => {
      const alice = await client();
      const bob = await client();
      const { channel: aliceChannel } = await subscribed(alice, 'private-chat');
      const { channel: bobChannel } = await subscribed(bob, 'private-chat');
      const echoed = record(aliceChannel, 'client-typing');
      const received = next(bobChannel, 'client-typing');

      aliceChannel.trigger('client-typing', { typing: true });

      await expect(received).resolves.toEqual({ typing: true });
      await delay(100);
      expect(echoed).toEqual([]);
    });

    it('carry the sender\'s user_id on a presence channel', async () => {
      const alice = await client({ user: { user_id: 'alice' } });
      const bob = await client({ user: { user_id: 'bob' } });
      const { channel: aliceChannel } = await subscribed(alice, 'presence-room');
      const { channel: bobChannel } = await subscribed(bob, 'presence-room');
      const received = new Promise<unknown>((resolve) => bobChannel.bind('client-wave', (_data: unknown, metadata: unknown) => resolve(metadata)));

      aliceChannel.trigger('client-wave', {});

      await expect(received).resolves.toEqual({ user_id: 'alice' });
    });

    it('are refused on a public channel with pusher:error and reach nobody', async () => {
      const alice = await client();
      const bob = await client();
      const { channel: aliceChannel } = await subscribed(alice, 'news');
      const seen = record((await subscribed(bob, 'news')).channel, 'client-spam');
      const error = next(alice.connection, 'error');

      aliceChannel.trigger('client-spam', {});

      await expect(error).resolves.toMatchObject({ type: 'PusherError', data: { code: PusherErrorCode.ClientEventRejected } });
      await delay(100);
      expect(seen).toEqual([]);
    });

    it('are rate limited: past the app\'s rate, pusher:error 4301 and dropped', async () => {
      const alice = await client();
      const bob = await client();
      const { channel: aliceChannel } = await subscribed(alice, 'private-chat');
      const seen = record((await subscribed(bob, 'private-chat')).channel, 'client-n');
      const error = next(alice.connection, 'error');

      for (let n = 0; n < 8; n++) aliceChannel.trigger('client-n', { n });

      await expect(error).resolves.toMatchObject({ data: { code: PusherErrorCode.ClientEventRateLimit } });
      await delay(200);
      expect(seen.map((data) => data.n)).toEqual([0, 1, 2, 3, 4]);
      expect(alice.connection.state).toBe('connected');
    });
  });

  describe('user authentication', () => {
    it('signs a user in and delivers the events sent to that user', async () => {
      const pusher = await client({ signin: { id: 'alice', user_info: { name: 'Alice' } } });
      const received = next(pusher.user, 'invoice');

      pusher.signin();
      // pusher-js subscribes to the user's channel once signed in.
      const user = pusher.user as unknown as { serverToUserChannel?: { subscribed: boolean } };
      while (!user.serverToUserChannel?.subscribed) await delay(10);
      await rt.get(PusherChannels).trigger(PUSHER_APP.id, ['#server-to-user-alice'], 'invoice', { total: 3 });

      await expect(received).resolves.toEqual({ total: 3 });
    });

    it('refuses a forged signin with pusher:error 4009 and closes the connection', async () => {
      const socket = await raw();
      await socket.event('pusher:connection_established');

      socket.send({ event: 'pusher:signin', data: { auth: `${PUSHER_APP.key}:${'0'.repeat(64)}`, user_data: '{"id":"admin"}' } });

      expect((await socket.event('pusher:error')).data.code).toBe(PusherErrorCode.Unauthorized);
      expect((await socket.closed).code).toBe(4009);
    });

    it('keeps the server-to-user channel of a user to that user', async () => {
      const socket = await raw();
      await socket.event('pusher:connection_established');

      socket.send({ event: 'pusher:subscribe', data: { channel: '#server-to-user-alice' } });

      expect((await socket.event('pusher:subscription_error')).data).toMatchObject({ type: 'AuthError', status: 403 });
    });
  });

  describe('bad input', () => {
    it.each<[string, string | Buffer]>([
      ['text that is not JSON', 'not json {'],
      ['a JSON array', '[1,2,3]'],
      ['a frame without event', '{"data":{}}'],
      ['an event that is not a string', '{"event":42}'],
      ['JSON nested too deep', `{"event":"pusher:ping","data":${'['.repeat(100)}${']'.repeat(100)}}`],
      ['an unknown event', '{"event":"pusher:nonsense","data":{}}'],
      ['a subscribe with a bad channel name', '{"event":"pusher:subscribe","data":{"channel":"bad name!"}}'],
      ['a subscribe with no data', '{"event":"pusher:subscribe"}'],
      ['a binary frame', Buffer.from([1, 2, 3])],
    ])('answers %s with pusher:error or subscription_error and keeps the connection', async (_case, input) => {
      const socket = await raw();
      await socket.event('pusher:connection_established');
      const from = socket.frames.length;

      socket.socket.send(input);

      const answer = await socket.next((frame) => socket.frames.indexOf(frame) >= from && /error/.test(frame.event));
      expect(answer.data.code ?? answer.data.status).toBeGreaterThanOrEqual(400);
      await socket.roundTrip();
    });

    it('survives a flood: past the frame rate, pusher:error 4301 once, and the rest dropped', async () => {
      const socket = await raw();
      await socket.event('pusher:connection_established');

      for (let n = 0; n < 300; n++) socket.send({ event: 'pusher:ping', data: {} });

      const error = await socket.next((frame) => frame.event === 'pusher:error');
      expect(error.data.code).toBe(PusherErrorCode.ClientEventRateLimit);
      await delay(1100);
      await socket.roundTrip();
      expect(socket.frames.filter((frame) => frame.event === 'pusher:error')).toHaveLength(1);
    });

    it('closes a connection that sends a frame over 64 KiB, and goes on serving the others', async () => {
      const socket = await raw();
      await socket.event('pusher:connection_established');

      socket.send({ event: 'client-big', channel: 'private-chat', data: 'x'.repeat(70_000) });

      expect((await socket.closed).code).toBe(1009);
      const another = await raw();
      await another.roundTrip();
    });

    it('survives random frames of every shape, answering each connection\'s ping after them', async () => {
      const events = ['pusher:subscribe', 'pusher:unsubscribe', 'pusher:signin', 'pusher:ping', 'client-x', 'pusher_internal:member_added', 'other'];
      const channels = fc.oneof(fc.constantFrom('news', 'private-chat', 'presence-room', '#server-to-user-x', ''), fc.string());
      const frame = fc.oneof(
        fc.record({ event: fc.constantFrom(...events), channel: channels, data: fc.oneof(fc.jsonValue(), fc.record({ channel: channels, auth: fc.string(), channel_data: fc.string() })) }),
        fc.jsonValue().map((value) => JSON.stringify(value)),
        fc.string(),
      );
      const watcher = await client();
      const seen = record((await subscribed(watcher, 'private-chat')).channel, 'client-x');

      await fc.assert(
        fc.asyncProperty(fc.array(frame, { minLength: 1, maxLength: 20 }), async (frames) => {
          const socket = await raw();
          await socket.event('pusher:connection_established');
          for (const each of frames) socket.send(typeof each === 'string' ? each : JSON.stringify(each));
          // A signin that fails closes the connection (4009), by rule; anything else leaves it answering.
          const signsIn = frames.some((each) => typeof each !== 'string' && each.event === 'pusher:signin');
          const closed = socket.closed.then(({ code }) => {
            if (!(signsIn && code === 4009)) throw new Error(`closed with ${code}`);
          });
          await Promise.race([socket.roundTrip(), closed]);
          socket.close();
        }),
        { numRuns: 40, seed: 20251130 },
      );

      expect(seen).toEqual([]);
      expect(watcher.connection.state).toBe('connected');
    });

    it('lets no bad frame reach another member', async () => {
      const watcher = await client();
      const { channel } = await subscribed(watcher, 'private-chat');
      const seen: unknown[] = [];
      channel.bind_global((event: string, data: unknown) => {
        if (!event.startsWith('pusher')) seen.push({ event, data });
      });
      const socket = await raw();
      await socket.event('pusher:connection_established');

      socket.send({ event: 'client-x', channel: 'private-chat', data: {} });
      socket.send({ event: 'pusher_internal:member_added', channel: 'private-chat', data: '{}' });
      socket.send('{"event":"client-y","channel":"private-chat"');
      await socket.roundTrip();
      await delay(100);

      expect(seen).toEqual([]);
    });
  });

  describe('with native clients in one channel', () => {
    it('shows a pusher-js member and a native member to each other in presence-lobby', async () => {
      const native = await rt.connect({ user: 'nina' });
      expect((await native.request('channel:join', { channel: 'presence-lobby', meta: { name: 'Nina' } })).ok).toBe(true);
      const nativeSeesPaul = native.nextEvent('presence:diff', (data) => Object.values(data.joins).some((entry: any) => entry.metas[0].user_id === 'paul'));

      const paul = await client({ user: { user_id: 'paul', user_info: { name: 'Paul' } } });
      const { channel, data: members } = await subscribed(paul, 'presence-lobby');

      expect(members.members).toEqual({ nina: { name: 'Nina' }, paul: { name: 'Paul' } });
      const diff = await nativeSeesPaul;
      expect(diff.data.joins[paul.connection.socket_id].metas[0]).toMatchObject({ user_id: 'paul', user_info: { name: 'Paul' } });

      const removed = next(channel, 'pusher:member_removed');
      await native.closeAndWait();
      await expect(removed).resolves.toEqual({ id: 'nina', info: { name: 'Nina' } });
    });

    it('carries messages both ways: client events to native clients, native publishes to pusher-js', async () => {
      const native = await rt.connect({ user: 'nina' });
      await native.request('channel:join', { channel: 'presence-lobby', meta: {} });
      const paul = await client({ user: { user_id: 'paul' } });
      const { channel } = await subscribed(paul, 'presence-lobby');

      const atNative = native.nextEvent('channel:message');
      channel.trigger('client-hello', { from: 'paul' });
      expect((await atNative).data).toMatchObject({
        channel: 'presence-lobby',
        from: paul.connection.socket_id,
        payload: { event: 'client-hello', data: { from: 'paul' }, user_id: 'paul' },
      });

      const shaped = next(channel, 'greeting');
      await native.request('channel:publish', { channel: 'presence-lobby', payload: { event: 'greeting', data: { from: 'nina' } } });
      await expect(shaped).resolves.toEqual({ from: 'nina' });

      const plain = next(channel, 'message');
      await native.request('channel:publish', { channel: 'presence-lobby', payload: { text: 'hi' } });
      await expect(plain).resolves.toEqual({ text: 'hi' });
    });

    it('lets no native publish pass itself off as a protocol event', async () => {
      const paul = await client();
      const { channel } = await subscribed(paul, 'news');
      const seen: string[] = [];
      channel.bind_global((event: string) => seen.push(event));

      await rt.get(ChannelService).publish('news', { event: 'pusher_internal:subscription_succeeded', data: {} });
      await delay(100);

      expect(seen).toEqual(['message']);
    });
  });

  it('closes Pusher connections with 4200 at shutdown, so that pusher-js reconnects at once', async () => {
    const socket = await raw();
    await socket.event('pusher:connection_established');

    await rt.shutdown();

    expect((await socket.closed).code).toBe(4200);
  });

  it('refuses the connections of a disabled app with 4003', async () => {
    await rt.close();
    rt = await RealtimeTestApp.start({}, { imports: [RealtimePusherModule.forRoot({ apps: [{ ...PUSHER_APP, enabled: false }] })] });
    const socket = await raw();

    expect((await socket.event('pusher:error')).data.code).toBe(PusherErrorCode.AppDisabled);
    expect((await socket.closed).code).toBe(4003);
  });

  it('keeps the channels of two apps apart', async () => {
    await rt.close();
    const other = { id: 'app-2', key: 'other-key', secret: 'other-secret' };
    rt = await RealtimeTestApp.start({}, { imports: [RealtimePusherModule.forRoot({ apps: [PUSHER_APP, other] })] });
    const first = await client();
    const second = await client({ key: other.key, secret: other.secret });
    const firstSeen = record((await subscribed(first, 'news')).channel, 'headline');
    const secondGets = next((await subscribed(second, 'news')).channel, 'headline');

    await rt.get(PusherChannels).trigger(other.id, ['news'], 'headline', 'for app 2');

    await expect(secondGets).resolves.toBe('for app 2');
    await delay(100);
    expect(firstSeen).toEqual([]);
    expect((await rt.get(ChannelService).active()).map(({ channel }) => channel).sort()).toEqual(['app-1:news', 'app-2:news']);
  });

  it('serves the native endpoint unchanged beside it', async () => {
    const native = await rt.connect({ user: 'nina' });

    expect(native.welcome.data.clientId).toBe('nina');
    expect(portOf(rt)).toBeGreaterThan(0);
  });
});
