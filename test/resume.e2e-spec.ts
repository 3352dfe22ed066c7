import { RealtimeClient } from '@nest-realtime/client/node';
import { ChannelService, ConnectionService } from '@nest-realtime/core';
import { userFromQuery } from './support/auth';
import { collectMessages } from './support/client-waits';
import { GatedTransport } from './support/gated-transport';
import { RealtimeTestApp } from './support/realtime-app';
import { TestClient } from './support/test-client';

/** Resume on one node with the in-memory engine: no Redis needed. */
describe('connection:resume (one node, in-memory engine)', () => {
  let rt: RealtimeTestApp;
  let allowed: Set<string>;

  beforeEach(async () => {
    allowed = new Set(['alice', 'bob']);
    rt = await RealtimeTestApp.start({
      authenticate: userFromQuery,
      channels: [
        { pattern: 'news:*', history: { size: 10, ttl: 60_000 } },
        { pattern: 'room:*', presence: true },
        { pattern: 'vip:*', authorize: ({ clientId }) => allowed.has(clientId) },
      ],
      presence: { batchMs: 0 },
      logLevels: [],
    });
  });

  afterEach(() => rt.close());

  /** Closes a client from its side and resolves once the server released it (its session is kept by then). */
  async function drop(client: TestClient): Promise<string> {
    const released = rt.released(client.connectionId);
    await client.terminate();
    await released;
    return client.welcome.data.resume.token;
  }

  async function ok(client: TestClient, event: string, data: unknown): Promise<any> {
    const reply = await client.request(event, data);
    expect(reply).toMatchObject({ ok: true });
    return reply.result;
  }

  const publish = (channel: string, payload: unknown) => rt.get(ChannelService).publish(channel, payload);

  it('announces the resume token and window in the welcome', async () => {
    const alice = await rt.connect({ user: 'alice' });

    expect(alice.welcome.data.resume).toEqual({ token: expect.stringMatching(/^[\w-]{32}$/), ttl: 120_000 });
  });

  it('gives offsets in a channel that keeps history, and replays exactly what a client missed', async () => {
    const alice = await rt.connect({ user: 'alice' });
    const { offset, epoch } = await ok(alice, 'channel:join', { channel: 'news:today' });
    expect(offset).toBe(0);
    await publish('news:today', 'one');
    expect((await alice.eventFrom(0, 'channel:message')).data).toEqual({ channel: 'news:today', from: null, payload: 'one', at: expect.any(Number), offset: 1, epoch });
    const token = await drop(alice);
    for (const payload of ['two', 'three']) await publish('news:today', payload);

    const back = await rt.connect({ user: 'alice' });
    expect(await ok(back, 'connection:resume', { token, channels: { 'news:today': { offset: 1, epoch } } })).toEqual({
      resumed: true,
      missed: 2,
      channels: { 'news:today': { missed: 2, offset: 3, epoch } },
    });
    expect(back.eventsSince('channel:message').map((frame) => [frame.data.offset, frame.data.payload])).toEqual([
      [2, 'two'],
      [3, 'three'],
    ]);
    expect(await rt.get(ChannelService).isMember('news:today', back.connectionId)).toBe(true);
  });

  it('takes a bare offset as one of the current epoch, as the outline writes it', async () => {
    const alice = await rt.connect({ user: 'alice' });
    await ok(alice, 'channel:join', { channel: 'news:bare' });
    await publish('news:bare', 'one');
    await alice.eventFrom(0, 'channel:message');
    const token = await drop(alice);
    await publish('news:bare', 'two');

    const back = await rt.connect({ user: 'alice' });
    expect(await ok(back, 'connection:resume', { token, channels: { 'news:bare': 1 } })).toMatchObject({ resumed: true, missed: 1 });
  });

  it('says resumed: false when the missed messages are no longer all kept, or the client sent no offset for them', async () => {
    const alice = await rt.connect({ user: 'alice' });
    const position = await ok(alice, 'channel:join', { channel: 'news:busy' });
    const token = await drop(alice);
    for (let i = 0; i < 11; i++) await publish('news:busy', i);

    const back = await rt.connect({ user: 'alice' });
    expect(await ok(back, 'connection:resume', { token, channels: { 'news:busy': position } })).toEqual({ resumed: false, reason: 'window', channel: 'news:busy' });
    expect(await rt.get(ChannelService).channelsOf(back.connectionId)).toEqual([]);

    const bob = await rt.connect({ user: 'bob' });
    await ok(bob, 'channel:join', { channel: 'news:busy' });
    const bobsToken = await drop(bob);
    const bobBack = await rt.connect({ user: 'bob' });
    expect(await ok(bobBack, 'connection:resume', { token: bobsToken })).toEqual({ resumed: false, reason: 'offset_missing', channel: 'news:busy' });
  });

  it('restores memberships with their last presence meta; the others see the client come back', async () => {
    const alice = await rt.connect({ user: 'alice' });
    const bob = await rt.connect({ user: 'bob' });
    await ok(alice, 'channel:join', { channel: 'room:a', meta: { status: 'online' } });
    await ok(alice, 'presence:update', { channel: 'room:a', meta: { status: 'away' } });
    await ok(bob, 'channel:join', { channel: 'room:a' });
    const token = await drop(alice);
    const seen = bob.mark();

    const back = await rt.connect({ user: 'alice' });
    expect(await ok(back, 'connection:resume', { token, channels: {} })).toEqual({ resumed: true, missed: 0, channels: { 'room:a': { missed: 0 } } });
    const state = await back.eventFrom(0, 'presence:state');
    expect(state.data.presences.alice.metas).toEqual([{ status: 'away', connectionId: back.connectionId, onlineAt: expect.any(Number) }]);
    expect((await bob.eventFrom(seen, 'presence:diff', (data) => data.joins.alice)).data.joins.alice.metas[0]).toMatchObject({ status: 'away' });
  });

  it('sends a resumed member its presence state after the reply, with its version, and then only the changes it does not hold', async () => {
    const alice = await rt.connect({ user: 'alice' });
    await ok(alice, 'channel:join', { channel: 'room:a' });
    const token = await drop(alice);

    const back = await rt.connect({ user: 'alice' });
    await ok(back, 'connection:resume', { token, channels: {} });
    const carol = await rt.connect({ user: 'carol' });
    await ok(carol, 'channel:join', { channel: 'room:a' });
    const diff = await back.eventFrom(0, 'presence:diff', (data) => 'carol' in data.joins);

    const frames = back.since(0).filter((frame) => frame.event !== 'connection:welcome' && frame.event !== 'connection:state');
    const state = frames.find((frame) => frame.event === 'presence:state')!;
    expect(frames.map((frame) => frame.event).slice(0, 2)).toEqual(['reply', 'presence:state']);
    expect(state.data.version).toEqual(expect.any(Number));
    expect(Object.keys(state.data.presences)).toEqual(['alice']);
    // Its own join again (the state holds it) never comes as a diff; carol's does, once.
    expect(back.eventsSince('presence:diff').map((frame) => Object.keys(frame.data.joins))).toEqual([['carol']]);
    expect(diff.data.joins.carol.first).toBe(true);
  });

  it('gives a session to its own client only, once, and only as the first thing a connection asks', async () => {
    const alice = await rt.connect({ user: 'alice' });
    await ok(alice, 'channel:join', { channel: 'room:b' });
    const token = await drop(alice);

    const mallory = await rt.connect({ user: 'mallory' });
    expect(await ok(mallory, 'connection:resume', { token })).toEqual({ resumed: false, reason: 'forbidden' });
    expect(await rt.get(ChannelService).channelsOf(mallory.connectionId)).toEqual([]);
    const late = await rt.connect({ user: 'alice' });
    expect(await ok(late, 'connection:resume', { token })).toEqual({ resumed: false, reason: 'expired' });

    const joinedFirst = await rt.connect({ user: 'alice' });
    await ok(joinedFirst, 'channel:join', { channel: 'room:c' });
    expect(await joinedFirst.request('connection:resume', { token: 'whatever' })).toMatchObject({ ok: false, error: { code: 'invalid' } });
  });

  it('refuses a malformed resume with invalid, listing every field at fault, and changes nothing', async () => {
    const alice = await rt.connect({ user: 'alice' });

    const reply = await alice.request('connection:resume', { token: 7, channels: { 'news:x': -1, 'news:y': { offset: 1 } } });
    expect(reply).toMatchObject({ ok: false, error: { code: 'invalid' } });
    expect(reply.error!.details.map((detail: { field: string }) => detail.field)).toEqual(['token', 'channels.news:x', 'channels.news:y']);
    expect(await alice.request('connection:resume', { token: 'x', channels: [] })).toMatchObject({ ok: false, error: { code: 'invalid' } });
    expect(await rt.get(ChannelService).channelsOf(alice.connectionId)).toEqual([]);
    await alice.roundTrip();
  });

  it('asks the authorizers again: a private channel that now refuses the client restores nothing', async () => {
    const alice = await rt.connect({ user: 'alice' });
    await ok(alice, 'channel:join', { channel: 'room:d' });
    await ok(alice, 'channel:join', { channel: 'vip:lounge' });
    const token = await drop(alice);
    allowed.delete('alice');

    const back = await rt.connect({ user: 'alice' });
    expect(await ok(back, 'connection:resume', { token })).toEqual({ resumed: false, reason: 'refused', channel: 'vip:lounge' });
    expect(await rt.get(ChannelService).channelsOf(back.connectionId)).toEqual([]);
  });

  it('keeps no session after the application disconnected the client', async () => {
    const alice = await rt.connect({ user: 'alice' });
    await ok(alice, 'channel:join', { channel: 'room:e' });
    const { token } = alice.welcome.data.resume;
    const released = rt.released(alice.connectionId);
    rt.get(ConnectionService).disconnect(alice.connectionId);
    await released;

    const back = await rt.connect({ user: 'alice' });
    expect(await ok(back, 'connection:resume', { token })).toEqual({ resumed: false, reason: 'expired' });
  });

  it('the client SDK resumes by itself after a dropped connection, and gets each missed message once', async () => {
    const network = new GatedTransport();
    const client = new RealtimeClient({ url: rt.url, params: { user: 'alice' }, transport: network.transport, reconnect: { baseDelay: 10, maxDelay: 10 } });
    try {
      await client.connect();
      const news = client.channel<string>('news:sdk');
      const { messages, count } = collectMessages(news);
      await news.join();
      await publish('news:sdk', 'before');
      await count(1);

      const resumed = new Promise((resolve) => news.on('joined', (joined) => joined.rejoined && resolve(joined)));
      const released = rt.released(client.welcome!.connectionId);
      network.cut();
      await released;
      await publish('news:sdk', 'missed');
      network.allow();

      expect(await resumed).toEqual({ channel: 'news:sdk', rejoined: true, resumed: true });
      await publish('news:sdk', 'live');
      await count(3);
      expect(messages.map((message) => [message.offset, message.payload])).toEqual([
        [1, 'before'],
        [2, 'missed'],
        [3, 'live'],
      ]);
    } finally {
      client.close();
    }
  });

  it('with resume off, announces none and answers every resume resumed: false', async () => {
    await rt.close();
    rt = await RealtimeTestApp.start({ authenticate: userFromQuery, resume: false, logLevels: [] });
    const alice = await rt.connect({ user: 'alice' });

    expect(alice.welcome.data.resume).toBeUndefined();
    expect(await ok(alice, 'connection:resume', { token: 'anything' })).toEqual({ resumed: false, reason: 'disabled' });
  });
});

describe('connection:resume without authentication', () => {
  it('lets an anonymous connection resume with its token alone, as a new anonymous client', async () => {
    const rt = await RealtimeTestApp.start({ logLevels: [] });
    try {
      const first = await rt.connect();
      expect((await first.request('channel:join', { channel: 'lobby' })).ok).toBe(true);
      const released = rt.released(first.connectionId);
      await first.terminate();
      await released;

      const back = await rt.connect();
      expect((await back.request('connection:resume', { token: first.welcome.data.resume.token })).result).toEqual({
        resumed: true,
        missed: 0,
        channels: { lobby: { missed: 0 } },
      });
      expect(await rt.get(ChannelService).channelsOf(back.connectionId)).toEqual(['lobby']);
    } finally {
      await rt.close();
    }
  });
});
