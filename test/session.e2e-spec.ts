import { ChannelService, ConnectionService, ConnectionStateService, GroupService } from '@nest-realtime/core';
import { userFromQuery } from './support/auth';
import { RealtimeTestApp } from './support/realtime-app';
import { TestClient } from './support/test-client';

const CONNECTION_ID = /^[A-Za-z0-9_-]{16}$/;

describe('a session from welcome to close', () => {
  let rt: RealtimeTestApp;

  beforeEach(async () => {
    rt = await RealtimeTestApp.start({
      authenticate: userFromQuery,
      heartbeat: { interval: 10_000, timeout: 30_000 },
      channels: [
        { pattern: 'room:*', presence: true },
        { pattern: 'duo:*', limit: 2 },
        { pattern: 'news:*', publish: 'server' },
      ],
      presence: { batchMs: 0 },
    });
  });

  afterEach(() => rt.close());

  describe('welcome', () => {
    it('sends the welcome as the first frame, with the ids and the heartbeat settings', async () => {
      const alice = await rt.connect({ user: 'alice' });

      expect(alice.frames[0]).toEqual({
        event: 'connection:welcome',
        data: {
          connectionId: expect.stringMatching(CONNECTION_ID),
          clientId: 'alice',
          heartbeat: { interval: 10_000, timeout: 30_000 },
          resume: { token: expect.any(String), ttl: 120_000 },
        },
      });
      expect(rt.get(ConnectionService).get(alice.connectionId)).toMatchObject({ id: alice.connectionId, clientId: 'alice', state: 'connected' });
    });

    it('announces the initial connected state right after the welcome', async () => {
      const alice = await rt.connect({ user: 'alice' });

      const state = await alice.next((frame) => frame.event === 'connection:state');

      expect(alice.frames.indexOf(state)).toBe(1);
      expect(state.data).toEqual({ state: 'connected', previous: null, at: expect.any(Number) });
      expect(state.data.at).toBeGreaterThanOrEqual(rt.get(ConnectionService).get(alice.connectionId)!.connectedAt);
    });

    it('speaks realtime.v1.json to a client that offers it among other subprotocols', async () => {
      // realtime.v1.msgpack, offered first, would win (test/msgpack.e2e-spec.ts): these the server does not speak.
      const client = await rt.connect({ user: 'alice' }, undefined, ['realtime.v2.cbor', 'chat', 'realtime.v1.json']);

      expect(client.socket.protocol).toBe('realtime.v1.json');
      expect(client.welcome.data.clientId).toBe('alice');
    });

    it('speaks JSON to a client that offers no subprotocol', async () => {
      const client = await rt.connect({ user: 'alice' });

      expect(client.socket.protocol).toBe('');
      expect((await client.request('connection:ping', { t: 1 })).result).toEqual({ t: 1 });
    });

    it('gives each connection its own connectionId', async () => {
      const first = await rt.connect({ user: 'alice' });
      const second = await rt.connect({ user: 'bob' });

      expect(first.connectionId).not.toBe(second.connectionId);
      expect(rt.get(ConnectionService).count()).toBe(2);
    });
  });

  describe('connection state asked for by the client', () => {
    it('goes to idle and back to connected, announcing each change with previous and at', async () => {
      const alice = await rt.connect({ user: 'alice' });
      await alice.next((frame) => frame.event === 'connection:state');
      const states = rt.get(ConnectionStateService);

      const toIdle = alice.nextEvent('connection:state');
      const idleReply = await alice.request('connection:state', { state: 'idle' });
      const idle = await toIdle;

      expect(idleReply).toEqual({ ok: true, result: expect.objectContaining({ connectionId: alice.connectionId, from: 'connected', to: 'idle' }) });
      expect(idle.data).toEqual({ state: 'idle', previous: 'connected', at: expect.any(Number) });
      expect(states.get(alice.connectionId)).toBe('idle');

      const toConnected = alice.nextEvent('connection:state');
      const connectedReply = await alice.request('connection:state', { state: 'connected' });
      const connected = await toConnected;

      expect(connectedReply.ok).toBe(true);
      expect(connected.data).toEqual({ state: 'connected', previous: 'idle', at: expect.any(Number) });
      expect(connected.data.at).toBeGreaterThanOrEqual(idle.data.at);
      expect(states.get(alice.connectionId)).toBe('connected');
      expect(states.history(alice.connectionId).map((change) => [change.from, change.to])).toEqual([
        [null, 'connected'],
        ['connected', 'idle'],
        ['idle', 'connected'],
      ]);
    });

    it('announces nothing when the client asks for the state it is already in', async () => {
      const alice = await rt.connect({ user: 'alice' });
      await alice.next((frame) => frame.event === 'connection:state');
      const mark = alice.mark();

      const reply = await alice.request('connection:state', { state: 'connected' });
      await alice.roundTrip();

      expect(reply.ok).toBe(true);
      expect(alice.eventsSince('connection:state', mark)).toEqual([]);
    });

    it.each(['reconnecting', 'disconnected', 'error', 'flying'])('refuses "%s" as forbidden and keeps the state unchanged', async (state) => {
      const alice = await rt.connect({ user: 'alice' });
      await alice.next((frame) => frame.event === 'connection:state');
      const mark = alice.mark();

      const reply = await alice.request('connection:state', { state });
      await alice.roundTrip();

      expect(reply).toEqual({ ok: false, error: { code: 'forbidden', message: expect.stringContaining(state) } });
      expect(rt.get(ConnectionStateService).get(alice.connectionId)).toBe('connected');
      expect(alice.eventsSince('connection:state', mark)).toEqual([]);
      expect(alice.isOpen).toBe(true);
    });

    it('refuses a request without a state as invalid', async () => {
      const alice = await rt.connect({ user: 'alice' });

      const reply = await alice.request('connection:state', {});

      expect(reply).toEqual({ ok: false, error: { code: 'invalid', message: expect.any(String), details: [{ field: 'state', message: expect.any(String) }] } });
      expect(rt.get(ConnectionStateService).get(alice.connectionId)).toBe('connected');
    });
  });

  describe('channels', () => {
    it('delivers a publish to every member with from and at, and refuses it once the publisher has left', async () => {
      const alice = await rt.connect({ user: 'alice' });
      const bob = await rt.connect({ user: 'bob' });
      expect((await alice.request('channel:join', { channel: 'room:1' })).ok).toBe(true);
      expect((await bob.request('channel:join', { channel: 'room:1' })).ok).toBe(true);

      const toAlice = alice.nextEvent('channel:message');
      const toBob = bob.nextEvent('channel:message');
      const before = Date.now();
      const published = await bob.request('channel:publish', { channel: 'room:1', payload: { text: 'hi' } });

      expect(published).toEqual({ ok: true, result: { channel: 'room:1' } });
      const message = { channel: 'room:1', from: 'bob', payload: { text: 'hi' }, at: expect.any(Number) };
      expect((await toAlice).data).toEqual(message);
      expect((await toBob).data).toEqual(message);
      expect((await toAlice).data.at).toBeGreaterThanOrEqual(before);

      expect(await bob.request('channel:leave', { channel: 'room:1' })).toEqual({ ok: true, result: { channel: 'room:1' } });
      const mark = alice.mark();
      const refused = await bob.request('channel:publish', { channel: 'room:1', payload: { text: 'still here?' } });
      await alice.roundTrip();

      expect(refused).toEqual({ ok: false, error: { code: 'not_joined', message: expect.any(String) } });
      expect(alice.eventsSince('channel:message', mark)).toEqual([]);
    });

    it('handles frames sent back to back in the order they arrived', async () => {
      const alice = await rt.connect({ user: 'alice' });
      const mark = alice.mark();

      alice.sendTogether([
        { event: 'channel:join', data: { channel: 'chat:1' }, ref: 'join' },
        { event: 'channel:publish', data: { channel: 'chat:1', payload: 'first' }, ref: 'publish' },
        { event: 'channel:leave', data: { channel: 'chat:1' }, ref: 'leave' },
        { event: 'channel:publish', data: { channel: 'chat:1', payload: 'second' }, ref: 'late' },
      ]);
      await alice.next((frame) => frame.ref === 'late', mark);

      expect(alice.since(mark).map((frame) => (frame.event === 'reply' ? `${frame.ref}:${frame.data.ok ? 'ok' : frame.data.error.code}` : frame.event))).toEqual([
        'join:ok',
        'channel:message',
        'publish:ok',
        'leave:ok',
        'late:not_joined',
      ]);
    });

    it('refuses a join beyond the member limit of the channel with limit, and lets a member join again', async () => {
      const [alice, bob, carol] = await Promise.all(['alice', 'bob', 'carol'].map((user) => rt.connect({ user })));
      expect((await alice.request('channel:join', { channel: 'duo:1' })).ok).toBe(true);
      expect((await bob.request('channel:join', { channel: 'duo:1' })).ok).toBe(true);

      expect(await carol.request('channel:join', { channel: 'duo:1' })).toEqual({ ok: false, error: { code: 'limit', message: expect.any(String) } });
      expect((await bob.request('channel:join', { channel: 'duo:1' })).ok).toBe(true);
      expect((await rt.get(ChannelService).members('duo:1')).map((member) => member.clientId).sort()).toEqual(['alice', 'bob']);
    });

    it('refuses a client publish to a server-only channel with forbidden, while server code still publishes there', async () => {
      const alice = await rt.connect({ user: 'alice' });
      await alice.request('channel:join', { channel: 'news:today' });

      expect(await alice.request('channel:publish', { channel: 'news:today', payload: 'fake news' })).toEqual({
        ok: false,
        error: { code: 'forbidden', message: expect.any(String) },
      });
      const message = alice.nextEvent('channel:message');
      expect(await rt.get(ChannelService).publish('news:today', 'real news')).toBe(1);
      expect((await message).data).toEqual({ channel: 'news:today', from: null, payload: 'real news', at: expect.any(Number) });
    });

    it('answers a leave of a channel that was not joined with not_joined', async () => {
      const alice = await rt.connect({ user: 'alice' });

      expect(await alice.request('channel:leave', { channel: 'room:nowhere' })).toEqual({
        ok: false,
        error: { code: 'not_joined', message: expect.any(String) },
      });
    });

    it('returns no presence for a channel that does not track it', async () => {
      const alice = await rt.connect({ user: 'alice' });
      const mark = alice.mark();

      const joined = await alice.request('channel:join', { channel: 'chat:1', meta: { name: 'Alice' } });
      await alice.roundTrip();

      expect(joined).toEqual({ ok: true, result: { channel: 'chat:1' } });
      expect(alice.eventsSince('presence:state', mark)).toEqual([]);
      expect(alice.eventsSince('presence:diff', mark)).toEqual([]);
    });

    it('keeps one membership when a connection joins twice, and delivers each message once', async () => {
      const alice = await rt.connect({ user: 'alice' });
      await alice.request('channel:join', { channel: 'chat:1' });
      expect((await alice.request('channel:join', { channel: 'chat:1' })).ok).toBe(true);
      const mark = alice.mark();

      await alice.request('channel:publish', { channel: 'chat:1', payload: 1 });
      await alice.roundTrip();

      expect(await rt.get(ChannelService).members('chat:1')).toHaveLength(1);
      expect(alice.eventsSince('channel:message', mark).map((frame) => frame.data.payload)).toEqual([1]);
    });

    it('lists the presence of a joined channel and refuses the list to a non-member', async () => {
      const alice = await rt.connect({ user: 'alice' });
      const bob = await rt.connect({ user: 'bob' });
      await alice.request('channel:join', { channel: 'room:1', meta: { name: 'Alice' } });
      await bob.request('channel:join', { channel: 'room:1', meta: { name: 'Bob' } });

      const list = await alice.request('presence:list', { channel: 'room:1' });

      expect(list).toEqual({
        ok: true,
        result: {
          alice: { metas: [{ name: 'Alice', connectionId: alice.connectionId, onlineAt: expect.any(Number) }] },
          bob: { metas: [{ name: 'Bob', connectionId: bob.connectionId, onlineAt: expect.any(Number) }] },
        },
      });
      const carol = await rt.connect({ user: 'carol' });
      expect(await carol.request('presence:list', { channel: 'room:1' })).toEqual({
        ok: false,
        error: { code: 'not_joined', message: expect.any(String) },
      });
    });

    it('delivers what server code publishes through ChannelService with from: null', async () => {
      const alice = await rt.connect({ user: 'alice' });
      const bob = await rt.connect({ user: 'bob' });
      const carol = await rt.connect({ user: 'carol' });
      await alice.request('channel:join', { channel: 'room:1' });
      await bob.request('channel:join', { channel: 'room:1' });
      const carolMark = carol.mark();

      const toAlice = alice.nextEvent('channel:message');
      const toBob = bob.nextEvent('channel:message');
      const delivered = await rt.get(ChannelService).publish('room:1', { notice: 'maintenance' });

      expect(delivered).toBe(2);
      const message = { channel: 'room:1', from: null, payload: { notice: 'maintenance' }, at: expect.any(Number) };
      expect((await toAlice).data).toEqual(message);
      expect((await toBob).data).toEqual(message);
      await carol.roundTrip();
      expect(carol.eventsSince('channel:message', carolMark)).toEqual([]);
    });
  });

  describe('ping', () => {
    it('answers connection:ping with connection:pong carrying the same t', async () => {
      const alice = await rt.connect({ user: 'alice' });

      const pong = alice.nextEvent('connection:pong');
      alice.send({ event: 'connection:ping', data: { t: 1234 } });

      expect((await pong).data).toEqual({ t: 1234 });
    });

    it('also replies to a ping that carries a ref', async () => {
      const alice = await rt.connect({ user: 'alice' });

      const pong = alice.nextEvent('connection:pong');
      const reply = await alice.request('connection:ping', { t: 'abc' });

      expect(reply).toEqual({ ok: true, result: { t: 'abc' } });
      expect((await pong).data).toEqual({ t: 'abc' });
    });
  });

  describe('direct messages', () => {
    it('delivers a direct message to every connection of the target clientId, and only to them', async () => {
      const aliceTab1 = await rt.connect({ user: 'alice' });
      const aliceTab2 = await rt.connect({ user: 'alice' });
      const bob = await rt.connect({ user: 'bob' });
      const carol = await rt.connect({ user: 'carol' });
      const bobMark = bob.mark();
      const carolMark = carol.mark();

      const toTab1 = aliceTab1.nextEvent('direct:message');
      const toTab2 = aliceTab2.nextEvent('direct:message');
      const reply = await bob.request('direct:send', { to: 'alice', payload: { text: 'psst' } });

      expect(reply).toEqual({ ok: true, result: { to: 'alice', delivered: 2 } });
      const message = { from: 'bob', payload: { text: 'psst' }, at: expect.any(Number) };
      expect((await toTab1).data).toEqual(message);
      expect((await toTab2).data).toEqual(message);
      await bob.roundTrip();
      await carol.roundTrip();
      expect(bob.eventsSince('direct:message', bobMark)).toEqual([]);
      expect(carol.eventsSince('direct:message', carolMark)).toEqual([]);
    });

    it('answers not_found for a clientId without any connection', async () => {
      const bob = await rt.connect({ user: 'bob' });

      expect(await bob.request('direct:send', { to: 'nobody', payload: 1 })).toEqual({
        ok: false,
        error: { code: 'not_found', message: expect.stringContaining('nobody') },
      });
    });

    it('refuses a direct message without a payload as invalid', async () => {
      const bob = await rt.connect({ user: 'bob' });
      await rt.connect({ user: 'alice' });

      expect(await bob.request('direct:send', { to: 'alice' })).toEqual({
        ok: false,
        error: { code: 'invalid', message: expect.any(String), details: [{ field: 'payload', message: expect.any(String) }] },
      });
    });
  });

  describe('groups', () => {
    it('broadcasts from server code to every connection of every member of a group', async () => {
      const aliceTab1 = await rt.connect({ user: 'alice' });
      const aliceTab2 = await rt.connect({ user: 'alice' });
      const bob = await rt.connect({ user: 'bob' });
      const carol = await rt.connect({ user: 'carol' });
      const groups = rt.get(GroupService);
      await groups.add('admins', 'alice');
      await groups.add('admins', 'bob');
      const carolMark = carol.mark();

      const received = [aliceTab1, aliceTab2, bob].map((client) => client.nextEvent('notice'));
      const delivered = await groups.broadcast('admins', 'notice', { text: 'deploy at noon' });

      expect(delivered).toBe(3);
      for (const frame of await Promise.all(received)) expect(frame).toEqual({ event: 'notice', data: { text: 'deploy at noon' } });
      await carol.roundTrip();
      expect(carol.eventsSince('notice', carolMark)).toEqual([]);
    });

    it('refuses to broadcast a protocol event', async () => {
      await expect(rt.get(GroupService).broadcast('admins', 'channel:message', {})).rejects.toMatchObject({ code: 'invalid' });
    });

    it('drops a client from its groups when its last connection closes', async () => {
      const aliceTab1 = await rt.connect({ user: 'alice' });
      const aliceTab2 = await rt.connect({ user: 'alice' });
      const groups = rt.get(GroupService);
      await groups.add('admins', 'alice');

      const firstReleased = rt.released(aliceTab1.connectionId);
      await aliceTab1.closeAndWait();
      await firstReleased;
      expect(await groups.members('admins')).toEqual(['alice']);

      const lastReleased = rt.released(aliceTab2.connectionId);
      await aliceTab2.closeAndWait();
      await lastReleased;
      expect(await groups.members('admins')).toEqual([]);
    });
  });

  describe('closing', () => {
    it('closes a connection with 4001 when the application disconnects it, and tells the other members', async () => {
      const alice = await rt.connect({ user: 'alice' });
      const bob = await rt.connect({ user: 'bob' });
      await alice.request('channel:join', { channel: 'room:1' });
      await bob.request('channel:join', { channel: 'room:1' });
      const connections = rt.get(ConnectionService);

      const released = rt.released(alice.connectionId);
      const leave = bob.nextEvent('presence:diff', (diff) => 'alice' in diff.leaves);
      expect(connections.disconnect(alice.connectionId, 'kicked by a moderator')).toBe(true);

      expect(await alice.waitClosed()).toEqual({ code: 4001, reason: 'kicked by a moderator' });
      expect(await released).toMatchObject({ type: 'close', clientId: 'alice', code: 4001 });
      expect((await leave).data.leaves.alice).toEqual({ metas: [expect.objectContaining({ connectionId: alice.connectionId })], last: true });
      expect(connections.get(alice.connectionId)).toBeUndefined();
      expect(connections.disconnect(alice.connectionId)).toBe(false);
      expect((await bob.request('connection:ping', { t: 1 })).ok).toBe(true);
    });

    it('closes with 4001 even when the reason is longer than a close frame can carry', async () => {
      const alice = await rt.connect({ user: 'alice' });
      const released = rt.released(alice.connectionId);
      const reason = 'é'.repeat(100);

      expect(rt.get(ConnectionService).disconnect(alice.connectionId, reason)).toBe(true);

      const closed = await alice.waitClosed();
      expect(closed.code).toBe(4001);
      expect(Buffer.byteLength(closed.reason)).toBeLessThanOrEqual(123);
      expect(reason.startsWith(closed.reason)).toBe(true);
      expect((await released).code).toBe(4001);
    });

    it('closes every connection of a client with 4001 on disconnectClient', async () => {
      const tab1 = await rt.connect({ user: 'alice' });
      const tab2 = await rt.connect({ user: 'alice' });
      const bob = await rt.connect({ user: 'bob' });

      expect(rt.get(ConnectionService).disconnectClient('alice')).toBe(2);

      expect((await tab1.waitClosed()).code).toBe(4001);
      expect((await tab2.waitClosed()).code).toBe(4001);
      expect(bob.isOpen).toBe(true);
    });

    it('releases every membership and presence entry when the client closes normally', async () => {
      const alice = await rt.connect({ user: 'alice' });
      const bob = await rt.connect({ user: 'bob' });
      await alice.request('channel:join', { channel: 'room:1', meta: { name: 'Alice' } });
      await alice.request('channel:join', { channel: 'chat:1' });
      await bob.request('channel:join', { channel: 'room:1' });
      const channels = rt.get(ChannelService);
      const connections = rt.get(ConnectionService);
      expect((await channels.channelsOf(alice.connectionId)).sort()).toEqual(['chat:1', 'room:1']);

      const released = rt.released(alice.connectionId);
      const leave = bob.nextEvent('presence:diff', (diff) => 'alice' in diff.leaves);
      expect(await alice.closeAndWait()).toEqual({ code: 1000, reason: '' });

      expect(await released).toMatchObject({ type: 'close', connectionId: alice.connectionId, code: 1000 });
      expect((await leave).data).toEqual({
        channel: 'room:1',
        joins: {},
        leaves: { alice: { metas: [{ name: 'Alice', connectionId: alice.connectionId, onlineAt: expect.any(Number) }], last: true } },
        updates: {},
      });
      expect(await channels.channelsOf(alice.connectionId)).toEqual([]);
      expect((await channels.members('room:1')).map((member) => member.clientId)).toEqual(['bob']);
      expect(await channels.members('chat:1')).toEqual([]);
      expect(connections.get(alice.connectionId)).toBeUndefined();
      expect(connections.isOnline('alice')).toBe(false);
      expect(connections.count()).toBe(1);
    });
  });
});

describe('a custom connection state machine', () => {
  let rt: RealtimeTestApp;

  beforeEach(async () => {
    rt = await RealtimeTestApp.start({
      state: {
        states: ['connected', 'idle', 'away', 'disconnected', 'error'],
        transitions: { connected: ['idle'], idle: ['connected', 'away'], away: ['idle'] },
        clientStates: ['connected', 'idle', 'away'],
      },
    });
  });

  afterEach(() => rt.close());

  async function connected(): Promise<TestClient> {
    const client = await rt.connect();
    await client.next((frame) => frame.event === 'connection:state');
    return client;
  }

  it('refuses a transition the machine does not allow as invalid, changing and announcing nothing', async () => {
    const client = await connected();
    const mark = client.mark();

    const reply = await client.request('connection:state', { state: 'away' });
    await client.roundTrip();

    expect(reply).toEqual({ ok: false, error: { code: 'invalid', message: expect.stringContaining('"connected" to "away"') } });
    expect(rt.get(ConnectionStateService).get(client.connectionId)).toBe('connected');
    expect(client.eventsSince('connection:state', mark)).toEqual([]);
  });

  it('follows the allowed path through an application state', async () => {
    const client = await connected();

    expect((await client.request('connection:state', { state: 'idle' })).ok).toBe(true);
    const away = client.nextEvent('connection:state');
    expect((await client.request('connection:state', { state: 'away' })).ok).toBe(true);

    expect((await away).data).toEqual({ state: 'away', previous: 'idle', at: expect.any(Number) });
    expect(rt.get(ConnectionStateService).get(client.connectionId)).toBe('away');
  });
});
