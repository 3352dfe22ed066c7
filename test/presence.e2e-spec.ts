import { ChannelService, PresenceService } from '@nest-realtime/core';
import { userFromQuery } from './support/auth';
import { RealtimeTestApp } from './support/realtime-app';
import { TestClient } from './support/test-client';

const ROOM = 'room:lobby';

/** A meta as the server stores it: the application's fields plus connectionId and onlineAt. */
function metaOf(client: TestClient, fields: Record<string, unknown> = {}) {
  return { ...fields, connectionId: client.connectionId, onlineAt: expect.any(Number) };
}

describe('presence seen by the other members', () => {
  let rt: RealtimeTestApp;

  beforeEach(async () => {
    rt = await RealtimeTestApp.start({
      authenticate: userFromQuery,
      channels: [
        { pattern: 'room:*', presence: true },
        { pattern: 'team:*', presence: true, requiredMeta: ['team'] },
      ],
      presence: { batchMs: 0, maxMetaBytes: 256 },
    });
  });

  afterEach(() => rt.close());

  async function member(user: string, meta: Record<string, unknown> = { name: user }): Promise<TestClient> {
    const client = await rt.connect({ user });
    const reply = await client.request('channel:join', { channel: ROOM, meta });
    expect(reply.ok).toBe(true);
    return client;
  }

  it('gives a joiner the full state, in the reply and as a presence:state frame', async () => {
    const alice = await member('alice', { name: 'Alice' });
    const bob = await rt.connect({ user: 'bob' });
    const mark = bob.mark();

    const reply = await bob.request('channel:join', { channel: ROOM, meta: { name: 'Bob' } });
    const state = await bob.eventFrom(mark, 'presence:state');

    const expected = {
      alice: { metas: [metaOf(alice, { name: 'Alice' })] },
      bob: { metas: [metaOf(bob, { name: 'Bob' })] },
    };
    expect(reply).toEqual({ ok: true, result: { channel: ROOM, presence: expected } });
    expect(state.data).toEqual({ channel: ROOM, presences: expected, version: 2 });
    expect(state.data.presences).toEqual(reply.result.presence);
  });

  it('sends a member that asked for the compact form its state and diffs as tuples, and the others the full form', async () => {
    const alice = await member('alice', { name: 'Alice' });
    const bob = await rt.connect({ user: 'bob' });
    const mark = bob.mark();
    const aliceDiff = alice.nextEvent('presence:diff', (data) => 'bob' in data.joins);

    expect((await bob.request('channel:join', { channel: ROOM, meta: { name: 'Bob' }, presenceFormat: 'compact', stateInReply: false })).ok).toBe(true);
    const state = await bob.eventFrom(mark, 'presence:state');
    const bobDiff = bob.nextEvent('presence:diff');
    await alice.closeAndWait();

    expect(state.data).toEqual({
      channel: ROOM,
      presences: [
        ['alice', alice.connectionId, expect.any(Number), { name: 'Alice' }],
        ['bob', bob.connectionId, expect.any(Number), { name: 'Bob' }],
      ],
      version: 2,
    });
    expect((await aliceDiff).data.joins).toEqual({ bob: { metas: [metaOf(bob, { name: 'Bob' })], first: true } });
    expect((await bobDiff).data).toEqual({ channel: ROOM, joins: [], leaves: [['alice', alice.connectionId, 1]], updates: [] });
  });

  it('refuses a presenceFormat it does not know, joining nothing', async () => {
    const bob = await rt.connect({ user: 'bob' });

    const reply = await bob.request('channel:join', { channel: ROOM, presenceFormat: 'tiny' });

    expect(reply).toMatchObject({ ok: false, error: { code: 'invalid', details: [{ field: 'presenceFormat', message: 'must be "full" or "compact"' }] } });
    expect(await rt.get(ChannelService).channelsOf(bob.connectionId)).toEqual([]);
  });

  it('announces a client\'s first join to the others with first: true', async () => {
    const alice = await member('alice');

    const diff = alice.nextEvent('presence:diff', (data) => 'bob' in data.joins);
    const bob = await member('bob', { name: 'Bob', status: 'online' });

    expect((await diff).data).toEqual({
      channel: ROOM,
      joins: { bob: { metas: [metaOf(bob, { name: 'Bob', status: 'online' })], first: true } },
      leaves: {},
      updates: {},
    });
  });

  it('announces a second tab of the same client without first', async () => {
    const bob = await member('bob');
    const tab1 = await member('alice', { device: 'laptop' });

    const diff = bob.nextEvent('presence:diff', (data) => 'alice' in data.joins);
    const tab2 = await member('alice', { device: 'phone' });

    expect((await diff).data).toEqual({
      channel: ROOM,
      joins: { alice: { metas: [metaOf(tab2, { device: 'phone' })] } },
      leaves: {},
      updates: {},
    });
    expect((await bob.request('presence:list', { channel: ROOM })).result.alice).toEqual({
      metas: [metaOf(tab1, { device: 'laptop' }), metaOf(tab2, { device: 'phone' })],
    });
  });

  it('sends a leave without last when one of two tabs of a client closes', async () => {
    const bob = await member('bob');
    const tab1 = await member('alice', { device: 'laptop' });
    const tab2 = await member('alice', { device: 'phone' });

    const diff = bob.nextEvent('presence:diff', (data) => 'alice' in data.leaves);
    await tab1.closeAndWait();

    expect((await diff).data).toEqual({
      channel: ROOM,
      joins: {},
      leaves: { alice: { metas: [metaOf(tab1, { device: 'laptop' })] } },
      updates: {},
    });
    expect((await bob.request('presence:list', { channel: ROOM })).result.alice).toEqual({ metas: [metaOf(tab2, { device: 'phone' })] });
  });

  it('sends one leave with last: true when the last tab of a client closes', async () => {
    const bob = await member('bob');
    const tab1 = await member('alice', { device: 'laptop' });
    const tab2 = await member('alice', { device: 'phone' });
    const firstLeave = bob.nextEvent('presence:diff', (data) => 'alice' in data.leaves);
    await tab1.closeAndWait();
    await firstLeave;
    const mark = bob.mark();

    const lastLeave = bob.nextEvent('presence:diff', (data) => 'alice' in data.leaves);
    await tab2.closeAndWait();

    expect((await lastLeave).data).toEqual({
      channel: ROOM,
      joins: {},
      leaves: { alice: { metas: [metaOf(tab2, { device: 'phone' })], last: true } },
      updates: {},
    });
    await bob.roundTrip();
    expect(bob.eventsSince('presence:diff', mark)).toHaveLength(1);
    expect((await bob.request('presence:list', { channel: ROOM })).result).toEqual({ bob: { metas: [metaOf(bob, { name: 'bob' })] } });
  });

  it('announces an explicit channel:leave like a close', async () => {
    const bob = await member('bob');
    const alice = await member('alice');

    const diff = bob.nextEvent('presence:diff', (data) => 'alice' in data.leaves);
    expect(await alice.request('channel:leave', { channel: ROOM })).toEqual({ ok: true, result: { channel: ROOM } });

    expect((await diff).data.leaves).toEqual({ alice: { metas: [metaOf(alice, { name: 'alice' })], last: true } });
  });

  it('sends presence:update to the others as updates, keeping onlineAt', async () => {
    const bob = await member('bob');
    const alice = await member('alice', { name: 'Alice' });
    const before = (await bob.request('presence:list', { channel: ROOM })).result.alice.metas[0];

    const diff = bob.nextEvent('presence:diff', (data) => 'alice' in data.updates);
    const reply = await alice.request('presence:update', { channel: ROOM, meta: { name: 'Alice', status: 'away' } });

    const updated = { name: 'Alice', status: 'away', connectionId: alice.connectionId, onlineAt: before.onlineAt };
    expect(reply).toEqual({ ok: true, result: { channel: ROOM, meta: updated } });
    expect((await diff).data).toEqual({ channel: ROOM, joins: {}, leaves: {}, updates: { alice: { metas: [updated] } } });
  });

  it('announces a repeated join as an update of the meta', async () => {
    const bob = await member('bob');
    const alice = await member('alice', { name: 'Alice' });

    const diff = bob.nextEvent('presence:diff');
    await alice.request('channel:join', { channel: ROOM, meta: { name: 'Alice B.' } });

    expect((await diff).data).toEqual({
      channel: ROOM,
      joins: {},
      leaves: {},
      updates: { alice: { metas: [metaOf(alice, { name: 'Alice B.' })] } },
    });
  });

  it.each([
    ['a meta larger than maxMetaBytes', { bio: 'x'.repeat(300) }, 'meta'],
    ['a string meta', 'away', 'meta'],
    ['an array meta', ['away'], 'meta'],
    ['a number meta', 42, 'meta'],
    ['a meta that sets a server field', { onlineAt: 0 }, 'meta.onlineAt'],
    ['a meta nested deeper than maxMetaDepth (4)', { a: { b: { c: { d: { e: 1 } } } } }, 'meta.a.b.c.d'],
  ])('refuses %s with invalid and keeps the previous meta', async (_case, meta, field) => {
    const bob = await member('bob');
    const alice = await member('alice', { name: 'Alice' });
    const bobMark = bob.mark();

    const reply = await alice.request('presence:update', { channel: ROOM, meta });
    await bob.roundTrip();

    expect(reply).toEqual({
      ok: false,
      error: { code: 'invalid', message: expect.any(String), details: [{ field, message: expect.any(String) }] },
    });
    expect((await bob.request('presence:list', { channel: ROOM })).result.alice).toEqual({ metas: [metaOf(alice, { name: 'Alice' })] });
    expect(bob.eventsSince('presence:diff', bobMark)).toEqual([]);
  });

  it('refuses presence:update without a meta instead of clearing the meta', async () => {
    const alice = await member('alice', { name: 'Alice' });

    const reply = await alice.request('presence:update', { channel: ROOM });

    expect(reply).toEqual({ ok: false, error: { code: 'invalid', message: expect.any(String), details: [{ field: 'meta', message: 'is required' }] } });
    expect((await alice.request('presence:list', { channel: ROOM })).result.alice).toEqual({ metas: [metaOf(alice, { name: 'Alice' })] });
  });

  it('refuses a join with a bad meta without making the connection a member', async () => {
    const bob = await member('bob');
    const alice = await rt.connect({ user: 'alice' });
    const bobMark = bob.mark();

    const reply = await alice.request('channel:join', { channel: ROOM, meta: 'not an object' });
    await bob.roundTrip();

    expect(reply.error?.code).toBe('invalid');
    expect(await rt.get(ChannelService).isMember(ROOM, alice.connectionId)).toBe(false);
    expect((await bob.request('presence:list', { channel: ROOM })).result).not.toHaveProperty('alice');
    expect(bob.eventsSince('presence:diff', bobMark)).toEqual([]);
  });

  it('refuses a meta without the fields the channel requires, on join and on update', async () => {
    const alice = await rt.connect({ user: 'alice' });
    const missing = { ok: false, error: { code: 'invalid', message: expect.any(String), details: [{ field: 'meta.team', message: expect.any(String) }] } };

    expect(await alice.request('channel:join', { channel: 'team:1', meta: { name: 'Alice' } })).toEqual(missing);
    expect((await alice.request('channel:join', { channel: 'team:1', meta: { name: 'Alice', team: 'red' } })).ok).toBe(true);
    expect(await alice.request('presence:update', { channel: 'team:1', meta: { name: 'Alice' } })).toEqual(missing);
    expect((await alice.request('presence:list', { channel: 'team:1' })).result).toEqual({
      alice: { metas: [metaOf(alice, { name: 'Alice', team: 'red' })] },
    });
  });

  it('updates only the meta of the tab that asks', async () => {
    const bob = await member('bob');
    const tab1 = await member('alice', { device: 'laptop' });
    const tab2 = await member('alice', { device: 'phone' });

    const diff = bob.nextEvent('presence:diff', (data) => 'alice' in data.updates);
    await tab2.request('presence:update', { channel: ROOM, meta: { device: 'phone', status: 'away' } });

    expect((await diff).data.updates).toEqual({ alice: { metas: [metaOf(tab2, { device: 'phone', status: 'away' })] } });
    expect((await bob.request('presence:list', { channel: ROOM })).result.alice).toEqual({
      metas: [metaOf(tab1, { device: 'laptop' }), metaOf(tab2, { device: 'phone', status: 'away' })],
    });
  });

  it('refuses presence:update in a channel the connection has not joined', async () => {
    const alice = await rt.connect({ user: 'alice' });

    expect(await alice.request('presence:update', { channel: ROOM, meta: { name: 'Alice' } })).toEqual({
      ok: false,
      error: { code: 'not_joined', message: expect.any(String) },
    });
  });
});

describe('presence diffs batched over a window', () => {
  let rt: RealtimeTestApp;

  beforeEach(async () => {
    rt = await RealtimeTestApp.start({
      authenticate: userFromQuery,
      channels: [{ pattern: 'room:*', presence: true }],
      // A window far longer than the test: the diff goes out only when PresenceService.flush() is called.
      presence: { batchMs: 60_000 },
    });
  });

  afterEach(() => rt.close());

  /** A member whose own window has been flushed: it holds the state and gets later windows' diffs. */
  async function memberBeforeTheWindow(user: string): Promise<TestClient> {
    const client = await rt.connect({ user });
    await client.request('channel:join', { channel: ROOM });
    const state = client.nextEvent('presence:state');
    rt.get(PresenceService).flush();
    await state;
    return client;
  }

  it('sends the changes of one window as a single diff, but a join and a leave of one connection in two, so no member misses the leave', async () => {
    const watcher = await memberBeforeTheWindow('watcher');
    const start = watcher.mark();

    const bob = await rt.connect({ user: 'bob' });
    const bobMark = bob.mark();
    await bob.request('channel:join', { channel: ROOM });
    const alice = await rt.connect({ user: 'alice' });
    await alice.request('channel:join', { channel: ROOM });
    await alice.request('channel:leave', { channel: ROOM });
    const carol = await rt.connect({ user: 'carol' });
    await carol.request('channel:join', { channel: ROOM, meta: { name: 'Carol' } });
    await Promise.all([watcher.roundTrip(), bob.roundTrip()]);

    // Alice's leave closed the window of her join: bob and alice joined in one diff; bob's state was read after her leave.
    expect(watcher.eventsSince('presence:diff', start).map((frame) => frame.data)).toEqual([
      {
        channel: ROOM,
        joins: { bob: { metas: [metaOf(bob)], first: true }, alice: { metas: [metaOf(alice)], first: true } },
        leaves: {},
        updates: {},
      },
    ]);
    expect(bob.eventsSince('presence:state', bobMark).map((frame) => frame.data)).toEqual([
      { channel: ROOM, presences: { watcher: { metas: [metaOf(watcher)] }, bob: { metas: [metaOf(bob)] } }, version: 4 },
    ]);
    expect(bob.eventsSince('presence:diff', bobMark)).toEqual([]);

    const mark = watcher.mark();
    const carolState = carol.nextEvent('presence:state');
    const bobDiff = bob.nextEvent('presence:diff');
    rt.get(PresenceService).flush();
    await Promise.all([watcher.roundTrip(), bob.roundTrip()]);

    expect(watcher.eventsSince('presence:diff', mark).map((frame) => frame.data)).toEqual([
      {
        channel: ROOM,
        joins: { carol: { metas: [metaOf(carol, { name: 'Carol' })], first: true } },
        leaves: { alice: { metas: [metaOf(alice)], last: true } },
        updates: {},
      },
    ]);
    // Bob's state holds alice's leave already: he gets carol's join alone.
    expect((await bobDiff).data).toEqual({
      channel: ROOM,
      joins: { carol: { metas: [metaOf(carol, { name: 'Carol' })], first: true } },
      leaves: {},
      updates: {},
    });
    expect((await carolState).data).toEqual({
      channel: ROOM,
      presences: { watcher: { metas: [metaOf(watcher)] }, bob: { metas: [metaOf(bob)] }, carol: { metas: [metaOf(carol, { name: 'Carol' })] } },
      version: 5,
    });
  });

  it('holds the channel back from a new member until its state has gone out, then sends the state first', async () => {
    const watcher = await memberBeforeTheWindow('watcher');

    const bob = await rt.connect({ user: 'bob' });
    const mark = bob.mark();
    expect(await bob.request('channel:join', { channel: ROOM, stateInReply: false })).toEqual({ ok: true, result: { channel: ROOM } });
    await watcher.request('channel:publish', { channel: ROOM, payload: 'while bob waits' });
    await watcher.request('presence:update', { channel: ROOM, meta: { status: 'away' } });
    await bob.roundTrip();
    expect(bob.since(mark).map((frame) => frame.event)).toEqual(['reply', 'connection:pong', 'reply']);

    const message = bob.nextEvent('channel:message');
    rt.get(PresenceService).flush();
    await message;

    const events = bob.since(mark).map((frame) => frame.event).filter((event) => event !== 'reply' && event !== 'connection:pong');
    expect(events).toEqual(['presence:state', 'channel:message']);
    expect(bob.eventsSince('presence:state', mark)[0].data.presences).toEqual({
      watcher: { metas: [metaOf(watcher, { status: 'away' })] },
      bob: { metas: [metaOf(bob)] },
    });
  });

  it('refuses a stateInReply that is not a boolean, and joins nothing', async () => {
    const bob = await rt.connect({ user: 'bob' });
    expect(await bob.request('channel:join', { channel: ROOM, stateInReply: 'no' })).toEqual({
      ok: false,
      error: { code: 'invalid', message: expect.any(String), details: [{ field: 'stateInReply', message: 'must be a boolean' }] },
    });
    expect(await rt.get(ChannelService).isMember(ROOM, bob.connectionId)).toBe(false);
  });

  it('gives a member joined by server code the state too', async () => {
    const bob = await rt.connect({ user: 'bob' });
    const result = await rt.get(ChannelService).join(bob.connectionId, ROOM);
    expect(result.presence).toEqual({ bob: { metas: [metaOf(bob)] } });

    const state = bob.nextEvent('presence:state');
    rt.get(PresenceService).flush();
    expect((await state).data).toEqual({ channel: ROOM, presences: { bob: { metas: [metaOf(bob)] } }, version: 1 });
  });

  it('sends nothing of the channel to a member that left before its state went out', async () => {
    const bob = await rt.connect({ user: 'bob' });
    const mark = bob.mark();
    await bob.request('channel:join', { channel: ROOM });
    await bob.request('channel:leave', { channel: ROOM });
    rt.get(PresenceService).flush();
    await bob.roundTrip();

    expect(bob.since(mark).map((frame) => frame.event)).toEqual(['reply', 'reply', 'connection:pong', 'reply']);
  });
});
