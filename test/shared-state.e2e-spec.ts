import { GroupService, SharedStateService } from '@nest-realtime/core';
import { userFromQuery } from './support/auth';
import { RealtimeTestApp } from './support/realtime-app';
import type { Frame, TestClient } from './support/test-client';

/** Shared state on one node with the in-memory engine, with real clients. */
describe('shared state (one node, in-memory engine)', () => {
  let rt: RealtimeTestApp;

  beforeEach(async () => {
    rt = await RealtimeTestApp.start({
      authenticate: userFromQuery,
      channels: [
        { pattern: 'org:*/team:*/room:*', presence: true, state: { inherit: true, write: 'members', log: 3 } },
        { pattern: 'org:*/team:*', state: { inherit: true } },
        { pattern: 'org:*', state: true },
        { pattern: 'doc:*', presence: true, state: { write: 'members', maxKeys: 3, log: 3 } },
        { pattern: 'board:*', state: true },
      ],
      presence: { batchMs: 0 },
      sharedState: { maxValueBytes: 100, expiryInterval: 20 },
      logLevels: [],
    });
  });

  afterEach(() => rt.close());

  const state = () => rt.get(SharedStateService);

  async function ok(client: TestClient, event: string, data: unknown): Promise<any> {
    const reply = await client.request(event, data);
    expect(reply).toMatchObject({ ok: true });
    return reply.result;
  }

  /** The frames of these events from `from` on, in the order they came. */
  const framesOf = (client: TestClient, events: string[], from = 0): Frame[] => client.since(from).filter((frame) => events.includes(frame.event));

  async function drop(client: TestClient): Promise<string> {
    const released = rt.released(client.connectionId);
    await client.terminate();
    await released;
    return client.welcome.data.resume.token;
  }

  it('sends a new member its state:snapshot after the reply and its presence:state', async () => {
    await state().set('doc:1', 'title', 'Draft');
    const alice = await rt.connect({ user: 'alice' });
    const from = alice.mark();

    await ok(alice, 'channel:join', { channel: 'doc:1' });
    await alice.eventFrom(from, 'state:snapshot');

    expect(alice.since(from).map((frame) => frame.event)).toEqual(['reply', 'presence:state', 'state:snapshot']);
    expect(alice.eventsSince('state:snapshot', from)[0].data).toEqual({
      channel: 'doc:1',
      entries: { title: { value: 'Draft', version: 1, by: null, at: expect.any(Number) } },
      revision: 1,
      epoch: expect.any(String),
    });
  });

  it('sets, deletes and compares-and-sets; every member sees each change once, in order', async () => {
    const alice = await rt.connect({ user: 'alice' });
    const bob = await rt.connect({ user: 'bob' });
    await ok(alice, 'channel:join', { channel: 'doc:2' });
    await ok(bob, 'channel:join', { channel: 'doc:2' });
    await bob.eventFrom(0, 'state:snapshot');

    expect(await ok(alice, 'state:set', { channel: 'doc:2', key: 'title', value: 'Draft' })).toEqual({ channel: 'doc:2', key: 'title', version: 1, revision: 1 });
    expect(await ok(bob, 'state:set', { channel: 'doc:2', key: 'title', value: 'Final', version: 1 })).toEqual({ channel: 'doc:2', key: 'title', version: 2, revision: 2 });
    const conflict = await alice.request('state:set', { channel: 'doc:2', key: 'title', value: 'Mine', version: 1 });
    expect(conflict).toEqual({
      ok: false,
      error: { code: 'conflict', message: expect.stringContaining('is at version 2, not 1'), details: { version: 2, value: 'Final' } },
    });
    expect(await ok(alice, 'state:delete', { channel: 'doc:2', key: 'title', version: 2 })).toEqual({ channel: 'doc:2', key: 'title', version: 0, revision: 3 });
    await bob.eventFrom(0, 'state:diff', (data) => data.revision === 3);
    await alice.roundTrip();

    for (const member of [alice, bob]) {
      expect(member.eventsSince('state:diff').map((frame) => frame.data)).toEqual([
        { channel: 'doc:2', revision: 1, set: { title: { value: 'Draft', version: 1, by: 'alice', at: expect.any(Number) } }, removed: [] },
        { channel: 'doc:2', revision: 2, set: { title: { value: 'Final', version: 2, by: 'bob', at: expect.any(Number) } }, removed: [] },
        { channel: 'doc:2', revision: 3, set: {}, removed: ['title'] },
      ]);
    }
    expect(await state().get('doc:2')).toEqual({});
  });

  it("refuses clients where the rule says write: 'server', and non-members; the server still writes", async () => {
    const alice = await rt.connect({ user: 'alice' });
    await ok(alice, 'channel:join', { channel: 'board:1' });

    expect(await alice.request('state:set', { channel: 'board:1', key: 'a', value: 1 })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await alice.request('state:set', { channel: 'doc:9', key: 'a', value: 1 })).toMatchObject({ ok: false, error: { code: 'not_joined' } });
    expect(await alice.request('state:set', { channel: 'chat', key: 'a', value: 1 })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    await state().set('board:1', 'a', 1);
    expect((await alice.eventFrom(0, 'state:diff')).data).toMatchObject({ channel: 'board:1', revision: 1, set: { a: { value: 1, by: null } } });
  });

  it('refuses bad writes with invalid, naming the field, and changes nothing', async () => {
    const alice = await rt.connect({ user: 'alice' });
    await ok(alice, 'channel:join', { channel: 'doc:3' });
    const from = alice.mark();

    const refusals = await Promise.all([
      alice.request('state:set', { channel: 'doc:3', key: '', value: 1 }),
      alice.request('state:set', { channel: 'doc:3', key: 'a', value: 'x'.repeat(200) }),
      alice.request('state:set', { channel: 'doc:3', key: 'a', value: 1, ttl: 0 }),
      alice.request('state:set', { channel: 'doc:3', key: 'a' }),
      alice.request('state:delete', { channel: 'doc:3', key: 'a', version: 'one' }),
    ]);

    expect(refusals.map((reply) => [reply.error?.code, reply.error?.details?.[0]?.field])).toEqual([
      ['invalid', 'key'],
      ['invalid', 'value'],
      ['invalid', 'ttl'],
      ['invalid', 'value'],
      ['invalid', 'version'],
    ]);
    await alice.roundTrip();
    expect(alice.eventsSince('state:diff', from)).toEqual([]);
    expect(await state().snapshot('doc:3')).toMatchObject({ revision: 0, entries: {} });
  });

  it('refuses a new key past maxKeys with limit', async () => {
    for (const key of ['a', 'b', 'c']) await state().set('doc:4', key, 1);
    const alice = await rt.connect({ user: 'alice' });
    await ok(alice, 'channel:join', { channel: 'doc:4' });
    expect(await alice.request('state:set', { channel: 'doc:4', key: 'd', value: 1 })).toMatchObject({ ok: false, error: { code: 'limit' } });
  });

  it('removes a key when its ttl runs out and tells the members it expired', async () => {
    const alice = await rt.connect({ user: 'alice' });
    await ok(alice, 'channel:join', { channel: 'doc:5' });
    await ok(alice, 'state:set', { channel: 'doc:5', key: 'typing', value: true, ttl: 50 });

    const expired = await alice.eventFrom(0, 'state:diff', (data) => data.removed.length > 0);

    expect(expired.data).toEqual({ channel: 'doc:5', revision: 2, set: {}, removed: ['typing'], expired: ['typing'] });
    expect(await state().get('doc:5', 'typing')).toBeUndefined();
  });

  it("gives a member of a nested channel its ancestors' snapshots, farthest first, and their changes under scope", async () => {
    await state().set('org:acme', 'plan', 'pro');
    await state().set('org:acme/team:web', 'sprint', 12);
    const alice = await rt.connect({ user: 'alice' });
    const room = 'org:acme/team:web/room:1';

    await ok(alice, 'channel:join', { channel: room });
    await alice.eventFrom(0, 'state:snapshot', (data) => data.scope === undefined);
    await state().set('org:acme', 'plan', 'enterprise');
    await ok(alice, 'state:set', { channel: room, key: 'plan', value: 'room-only' });
    const ancestorChange = await alice.eventFrom(0, 'state:diff', (data) => data.scope === 'org:acme');

    expect(alice.eventsSince('state:snapshot').map((frame) => [frame.data.channel, frame.data.scope, Object.keys(frame.data.entries)])).toEqual([
      [room, 'org:acme', ['plan']],
      [room, 'org:acme/team:web', ['sprint']],
      [room, undefined, []],
    ]);
    expect(ancestorChange.data).toMatchObject({ channel: room, scope: 'org:acme', revision: 2, set: { plan: { value: 'enterprise', version: 2 } } });
    expect((await alice.eventFrom(0, 'state:diff', (data) => data.scope === undefined)).data).toMatchObject({ channel: room, set: { plan: { value: 'room-only' } } });
    // A write goes to one scope: the ancestor keeps its own value.
    expect(await state().get('org:acme', 'plan')).toMatchObject({ value: 'enterprise' });
  });

  it("delivers a group's state to its clients' connections: a snapshot on being added, on connecting, then the changes", async () => {
    const alice = await rt.connect({ user: 'alice' });
    await state().group('admins').set('banner', 'Maintenance at 2');

    await rt.get(GroupService).add('admins', 'alice');
    const snapshot = await alice.eventFrom(0, 'state:snapshot');
    expect(snapshot.data).toEqual({ group: 'admins', entries: { banner: expect.objectContaining({ value: 'Maintenance at 2' }) }, revision: 1, epoch: expect.any(String) });

    const second = await rt.connect({ user: 'alice' });
    expect((await second.eventFrom(0, 'state:snapshot')).data).toMatchObject({ group: 'admins', revision: 1 });
    expect(second.since(0)[0].event).toBe('connection:welcome');

    await state().group('admins').set('banner', 'Done');
    for (const connection of [alice, second]) {
      expect((await connection.eventFrom(0, 'state:diff')).data).toMatchObject({ group: 'admins', revision: 2, set: { banner: { value: 'Done' } } });
    }
  });

  describe('resume', () => {
    it('replays exactly the changes a client missed, after the presence state, before the live ones', async () => {
      const alice = await rt.connect({ user: 'alice' });
      await ok(alice, 'channel:join', { channel: 'doc:6' });
      await ok(alice, 'state:set', { channel: 'doc:6', key: 'a', value: 1 });
      const { epoch } = (await alice.eventFrom(0, 'state:snapshot')).data;
      const token = await drop(alice);
      await state().set('doc:6', 'a', 2);
      await state().set('doc:6', 'b', 3);

      const back = await rt.connect({ user: 'alice' });
      const result = await ok(back, 'connection:resume', { token, state: { 'doc:6': { 'doc:6': { revision: 1, epoch } } } });
      await back.eventFrom(0, 'state:diff', (data) => data.revision === 3);
      await state().set('doc:6', 'c', 4);
      await back.eventFrom(0, 'state:diff', (data) => data.revision === 4);

      expect(result).toEqual({ resumed: true, missed: 0, channels: { 'doc:6': { missed: 0, state: { 'doc:6': { replayed: 2 } } } } });
      expect(framesOf(back, ['reply', 'presence:state', 'state:snapshot', 'state:diff']).map((frame) => [frame.event, frame.data.revision])).toEqual([
        ['reply', undefined],
        ['presence:state', undefined],
        ['state:diff', 2],
        ['state:diff', 3],
        ['state:diff', 4],
      ]);
    });

    it('sends a fresh snapshot when the missed changes are past the log', async () => {
      const alice = await rt.connect({ user: 'alice' });
      await ok(alice, 'channel:join', { channel: 'doc:7' });
      const { epoch, revision } = (await alice.eventFrom(0, 'state:snapshot')).data;
      const token = await drop(alice);
      for (const value of [1, 2, 3, 4]) await state().set('doc:7', 'n', value);

      const back = await rt.connect({ user: 'alice' });
      const result = await ok(back, 'connection:resume', { token, state: { 'doc:7': { 'doc:7': { revision, epoch } } } });

      expect(result.channels['doc:7'].state).toEqual({ 'doc:7': { snapshot: true } });
      expect((await back.eventFrom(0, 'state:snapshot')).data).toMatchObject({ channel: 'doc:7', revision: 4, entries: { n: { value: 4, version: 4 } } });
      await back.roundTrip();
      expect(back.eventsSince('state:diff')).toEqual([]);
    });
  });
});
