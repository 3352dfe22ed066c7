import { isObservable } from 'rxjs';
import { ChannelRules } from '../channel/channel.rules';
import type { PresenceEvent } from '../../hooks/realtime-events';
import type { RealtimeModuleOptions } from '../../options/realtime-options.interface';
import { RealtimeException } from '../../errors/realtime.exception';
import { createRealtimeTestBed, FakeSocket, RealtimeTestBed, refusal } from '../../testing/internal/unit-fakes';
import { NO_STATUSES, NOT_A_STATUS, NOT_SETTABLE } from '../../realtime.messages';
import { PresenceService } from './presence.service';

const T0 = Date.UTC(2025, 0, 1);
const CHANNELS: RealtimeModuleOptions['channels'] = [
  { pattern: 'room:*', presence: true },
  { pattern: 'team:*', presence: true, requiredMeta: ['name'] },
];

describe('PresenceService', () => {
  let bed: RealtimeTestBed;
  let presence: PresenceService;
  let events: PresenceEvent[];

  async function setUp(options: RealtimeModuleOptions = {}): Promise<void> {
    bed = await createRealtimeTestBed({ channels: CHANNELS, presence: { batchMs: 0 }, ...options }, [ChannelRules, PresenceService]);
    presence = bed.moduleRef.get(PresenceService);
    events = [];
    presence.presence$.subscribe((event) => events.push(event));
  }

  /** A connection that is a member of the channel (no presence yet). */
  async function member(id: string, clientId: string, channel = 'room:1'): Promise<FakeSocket> {
    const { connection, socket } = bed.connect(id, clientId);
    await bed.engine.memberships.join(channel, connection, {});
    return socket;
  }

  beforeEach(async () => {
    jest.useFakeTimers({ now: T0 });
    await setUp();
  });

  afterEach(() => jest.useRealTimers());

  describe('track', () => {
    it('adds the connection under its clientId with the server fields, and tells the members', async () => {
      const watcher = await member('w', 'watcher');
      await member('c1', 'alice');

      const stored = await presence.track('c1', 'room:1', { name: 'Alice' });

      expect(stored).toEqual({ name: 'Alice', connectionId: 'c1', onlineAt: T0 });
      expect(await presence.list('room:1')).toEqual({ alice: { metas: [{ name: 'Alice', connectionId: 'c1', onlineAt: T0 }] } });
      expect(watcher.framesOf('presence:diff')).toEqual([
        {
          event: 'presence:diff',
          data: {
            channel: 'room:1',
            joins: { alice: { metas: [{ name: 'Alice', connectionId: 'c1', onlineAt: T0 }], first: true } },
            leaves: {},
            updates: {},
            versions: { c1: [1, 1] },
          },
        },
      ]);
      expect(events).toEqual([
        { type: 'join', channel: 'room:1', clientId: 'alice', connectionId: 'c1', meta: { name: 'Alice', connectionId: 'c1', onlineAt: T0 }, first: true, at: T0 },
      ]);
    });

    it('refuses a connection that is not a member with not_joined, writing nothing', async () => {
      bed.connect('c1', 'alice');

      const error = await refusal(() => presence.track('c1', 'room:1', {}));

      expect(error.code).toBe('not_joined');
      expect(await presence.list('room:1')).toEqual({});
      expect(events).toEqual([]);
    });

    it('replaces the meta when tracking again, as an update that keeps onlineAt', async () => {
      const watcher = await member('w', 'watcher');
      await member('c1', 'alice');
      await presence.track('c1', 'room:1', { status: 'here' });
      watcher.send.mockClear();
      events.length = 0;
      jest.setSystemTime(T0 + 5000);

      await presence.track('c1', 'room:1', { status: 'busy' });

      expect(await presence.list('room:1')).toEqual({ alice: { metas: [{ status: 'busy', connectionId: 'c1', onlineAt: T0 }] } });
      expect(watcher.framesOf('presence:diff').map((frame) => frame.data)).toEqual([
        { channel: 'room:1', joins: {}, leaves: {}, updates: { alice: { metas: [{ status: 'busy', connectionId: 'c1', onlineAt: T0 }] } }, versions: { c1: [2, 2] } },
      ]);
      expect(events.map((event) => [event.type, event.first])).toEqual([['update', undefined]]);
    });

    it('joins a second tab of the same client without first', async () => {
      const watcher = await member('w', 'watcher');
      await member('tab1', 'alice');
      await member('tab2', 'alice');
      await presence.track('tab1', 'room:1', { device: 'laptop' });
      watcher.send.mockClear();
      events.length = 0;

      await presence.track('tab2', 'room:1', { device: 'phone' });

      expect(watcher.framesOf('presence:diff')[0].data.joins).toEqual({
        alice: { metas: [{ device: 'phone', connectionId: 'tab2', onlineAt: T0 }] },
      });
      expect(events[0].first).toBeUndefined();
      expect((await presence.list('room:1')).alice.metas.map((meta) => meta.device)).toEqual(['laptop', 'phone']);
    });

    it('refuses a bad meta with invalid and writes nothing', async () => {
      const watcher = await member('w', 'watcher');
      await member('c1', 'alice');

      const error = await refusal(() => presence.track('c1', 'room:1', { onlineAt: 1 }));

      expect(error.code).toBe('invalid');
      expect(error.details).toEqual([{ field: 'meta.onlineAt', message: 'is set by the server' }]);
      expect(await presence.list('room:1')).toEqual({});
      expect(watcher.send).not.toHaveBeenCalled();
      expect(events).toEqual([]);
    });
  });

  describe('update', () => {
    let watcher: FakeSocket;

    beforeEach(async () => {
      watcher = await member('w', 'watcher');
      await member('c1', 'alice');
      await presence.track('c1', 'room:1', { status: 'here' });
      watcher.send.mockClear();
      events.length = 0;
    });

    it("replaces the connection's meta and sends an update", async () => {
      const stored = await presence.update('c1', 'room:1', { status: 'away' });

      expect(stored).toEqual({ status: 'away', connectionId: 'c1', onlineAt: T0 });
      expect(await presence.list('room:1')).toEqual({ alice: { metas: [stored] } });
      expect(watcher.framesOf('presence:diff').map((frame) => frame.data)).toEqual([
        { channel: 'room:1', joins: {}, leaves: {}, updates: { alice: { metas: [stored] } }, versions: { c1: [2, 2] } },
      ]);
      expect(events).toEqual([{ type: 'update', channel: 'room:1', clientId: 'alice', connectionId: 'c1', meta: stored, at: T0 }]);
    });

    const tooDeep = { a: { b: { c: { d: { e: 1 } } } } };
    it.each<[string, unknown, string]>([
      ['too large', { blob: 'x'.repeat(3000) }, 'meta'],
      ['a function', { onClick: () => 1 }, 'meta.onClick'],
      ['NaN', { score: NaN }, 'meta.score'],
      ['Infinity', { score: Infinity }, 'meta.score'],
      ['undefined', { nick: undefined }, 'meta.nick'],
      ['a Date', { since: new Date(0) }, 'meta.since'],
      ['a class instance', { where: new URL('https://example.com') }, 'meta.where'],
      ['too deep', tooDeep, 'meta.a.b.c.d'],
      ['the reserved connectionId', { connectionId: 'spoof' }, 'meta.connectionId'],
      ['the reserved onlineAt', { onlineAt: 0 }, 'meta.onlineAt'],
      ['not an object', ['away'], 'meta'],
    ])('refuses a meta with %s and keeps the previous one, sending nothing', async (_what, bad, field) => {
      const error = await refusal(() => presence.update('c1', 'room:1', bad));

      expect(error.code).toBe('invalid');
      expect((error.details as Array<{ field: string }>).map((detail) => detail.field)).toEqual([field]);
      expect(await presence.list('room:1')).toEqual({ alice: { metas: [{ status: 'here', connectionId: 'c1', onlineAt: T0 }] } });
      expect(watcher.send).not.toHaveBeenCalled();
      expect(events).toEqual([]);
    });

    it('refuses a connection without presence in the channel with not_joined', async () => {
      await member('c2', 'bob');

      expect((await refusal(() => presence.update('c2', 'room:1', { status: 'x' }))).code).toBe('not_joined');
      expect((await refusal(() => presence.update('c1', 'room:2', { status: 'x' }))).code).toBe('not_joined');
      expect(watcher.send).not.toHaveBeenCalled();
    });
  });

  describe('required fields from the channel rules', () => {
    it('refuses a meta without them on track and on update, keeping what was there', async () => {
      await member('c1', 'alice', 'team:red');

      const onTrack = await refusal(() => presence.track('c1', 'team:red', { role: 'lead' }));
      expect(onTrack.details).toEqual([{ field: 'meta.name', message: 'is required in this channel' }]);
      expect(await presence.list('team:red')).toEqual({});

      await presence.track('c1', 'team:red', { name: 'Alice' });
      const onUpdate = await refusal(() => presence.update('c1', 'team:red', { role: 'lead' }));
      expect(onUpdate.code).toBe('invalid');
      expect(await presence.list('team:red')).toEqual({ alice: { metas: [{ name: 'Alice', connectionId: 'c1', onlineAt: T0 }] } });
    });

    it('does not require them in channels the rule does not match', () => {
      expect(presence.validate('room:1', {})).toEqual({});
      expect(() => presence.validate('team:blue', {})).toThrow(RealtimeException);
    });
  });

  describe('untrack', () => {
    it('removes the connection and tells the members, marking the last tab of a client', async () => {
      const watcher = await member('w', 'watcher');
      await member('tab1', 'alice');
      await member('tab2', 'alice');
      await presence.track('tab1', 'room:1', {});
      await presence.track('tab2', 'room:1', {});
      watcher.send.mockClear();
      events.length = 0;

      expect(await presence.untrack('tab1', 'room:1')).toBe(true);
      expect(await presence.untrack('tab2', 'room:1')).toBe(true);

      expect(watcher.framesOf('presence:diff').map((frame) => frame.data.leaves)).toEqual([
        { alice: { metas: [{ connectionId: 'tab1', onlineAt: T0 }] } },
        { alice: { metas: [{ connectionId: 'tab2', onlineAt: T0 }], last: true } },
      ]);
      expect(events.map((event) => [event.type, event.connectionId, event.last])).toEqual([
        ['leave', 'tab1', undefined],
        ['leave', 'tab2', true],
      ]);
      expect(await presence.list('room:1')).toEqual({});
    });

    it('answers false, sending nothing, for a connection that was not tracked', async () => {
      const watcher = await member('w', 'watcher');

      expect(await presence.untrack('c9', 'room:1')).toBe(false);
      expect(await presence.untrack('c9', 'nowhere')).toBe(false);
      expect(watcher.send).not.toHaveBeenCalled();
      expect(events).toEqual([]);
    });
  });

  describe('reading', () => {
    beforeEach(async () => {
      await member('a1', 'alice');
      await member('a2', 'alice');
      await member('b1', 'bob');
      await presence.track('a1', 'room:1', { device: 'laptop' });
      await presence.track('a2', 'room:1', { device: 'phone' });
      await presence.track('b1', 'room:1', { device: 'phone' });
    });

    it('lists every clientId with one meta per connection', async () => {
      expect(await presence.list('room:1')).toEqual({
        alice: {
          metas: [
            { device: 'laptop', connectionId: 'a1', onlineAt: T0 },
            { device: 'phone', connectionId: 'a2', onlineAt: T0 },
          ],
        },
        bob: { metas: [{ device: 'phone', connectionId: 'b1', onlineAt: T0 }] },
      });
    });

    it('filters metas with listBy, dropping clientIds left with none', async () => {
      expect(await presence.listBy('room:1', (meta) => meta.device === 'laptop')).toEqual({
        alice: { metas: [{ device: 'laptop', connectionId: 'a1', onlineAt: T0 }] },
      });
      expect(await presence.listBy('room:1', (_meta, clientId) => clientId === 'bob')).toEqual({
        bob: { metas: [{ device: 'phone', connectionId: 'b1', onlineAt: T0 }] },
      });
    });

    it('counts distinct clientIds and tells who is present', async () => {
      expect(await presence.count('room:1')).toBe(2);
      expect(await presence.isPresent('room:1', 'alice')).toBe(true);
      expect(await presence.isPresent('room:1', 'carol')).toBe(false);
      expect(await presence.count('room:2')).toBe(0);

      await presence.untrack('a1', 'room:1');
      expect(await presence.count('room:1')).toBe(2);
      await presence.untrack('a2', 'room:1');
      expect(await presence.count('room:1')).toBe(1);
      expect(await presence.isPresent('room:1', 'alice')).toBe(false);
    });
  });

  describe('batching', () => {
    beforeEach(() => setUp({ presence: { batchMs: 20 } }));

    it('sends the changes of one window as one diff', async () => {
      const watcher = await member('w', 'watcher');
      for (const [id, client] of [['c1', 'alice'], ['c2', 'bob'], ['c3', 'carol']]) {
        await member(id, client);
        await presence.track(id, 'room:1', {});
      }
      expect(watcher.framesOf('presence:diff')).toEqual([]);
      expect(events).toHaveLength(3);

      jest.advanceTimersByTime(20);

      const diffs = watcher.framesOf('presence:diff');
      expect(diffs).toHaveLength(1);
      expect(Object.keys(diffs[0].data.joins)).toEqual(['alice', 'bob', 'carol']);
    });

    it('sends a join and a leave of one connection within a window in two diffs, so a state read between them misses neither', async () => {
      const watcher = await member('w', 'watcher');
      await member('c1', 'alice');
      await presence.track('c1', 'room:1', {});
      await presence.untrack('c1', 'room:1');
      jest.advanceTimersByTime(20);

      const diffs = watcher.framesOf('presence:diff').map((frame) => frame.data);
      expect(diffs.map((diff) => [Object.keys(diff.joins), Object.keys(diff.leaves), diff.versions])).toEqual([
        [['alice'], [], { c1: [1, 1] }],
        [[], ['alice'], { c1: [2, 2] }],
      ]);
    });

    it('sends what is pending at once on flush and at shutdown', async () => {
      const watcher = await member('w', 'watcher');
      await member('c1', 'alice');
      await presence.track('c1', 'room:1', {});
      presence.flush();
      expect(watcher.framesOf('presence:diff')).toHaveLength(1);

      await presence.untrack('c1', 'room:1');
      presence.onApplicationShutdown();
      expect(watcher.framesOf('presence:diff').map((frame) => Object.keys(frame.data.leaves))).toEqual([[], ['alice']]);
    });
  });

  describe('statuses', () => {
    const DESK = { presence: true, statuses: { statuses: ['online', 'away', 'busy'], settable: ['online', 'busy'], timeouts: [{ from: ['online'], to: 'away', after: 1000 }] } };
    let watcher: FakeSocket;

    beforeEach(async () => {
      await setUp({ channels: [...CHANNELS!, { pattern: 'desk:*', ...DESK }] });
      watcher = await member('w', 'watcher', 'desk:1');
      // Busy: it watches, and no timeout moves it.
      await presence.track('w', 'desk:1', { status: 'busy' });
    });

    /** A member of the channel with presence, its connection on this node; frames and events so far cleared. */
    async function tracked(id: string, clientId: string, channel = 'desk:1', meta: Record<string, unknown> = {}) {
      const { connection } = bed.connect(id, clientId);
      await bed.engine.memberships.join(channel, connection, {});
      await presence.track(id, channel, meta);
      watcher.send.mockClear();
      events.length = 0;
      return connection;
    }

    const statusDiffs = () => watcher.framesOf('presence:diff').map((frame) => frame.data.statuses);
    const statusEvents = () => events.map(({ type, connectionId, from, to, reason }) => ({ type, connectionId, from, to, reason }));

    it('joins a member in the initial status, or in the one its meta names', async () => {
      await tracked('c1', 'alice');
      await tracked('c2', 'bob', 'desk:1', { status: 'busy' });

      expect(await presence.status('desk:1', 'c1')).toBe('online');
      expect((await presence.list('desk:1')).bob.metas[0]).toEqual({ status: 'busy', connectionId: 'c2', onlineAt: T0 });
    });

    it('refuses a client meta whose status is not one clients may set, or not declared', () => {
      expect(() => presence.validate('desk:1', { status: 'away' })).toThrow(NOT_SETTABLE('desk:1', 'away', ['online', 'busy']));
      expect(() => presence.validate('desk:1', { status: 'gone' })).toThrow(NOT_A_STATUS('desk:1', 'gone', ['online', 'away', 'busy']));
      expect(presence.validate('room:1', { status: 'anything' })).toEqual({ status: 'anything' });
    });

    it('sets the status a client asks for, keeping its meta, with reason client', async () => {
      await tracked('c1', 'alice', 'desk:1', { name: 'Alice' });

      const stored = await presence.updateFrom('c1', 'desk:1', { status: 'busy' });

      expect(stored).toEqual({ name: 'Alice', status: 'busy', connectionId: 'c1', onlineAt: T0 });
      expect(watcher.framesOf('presence:diff').map((frame) => frame.data)).toEqual([
        {
          channel: 'desk:1',
          joins: {},
          leaves: {},
          updates: { alice: { metas: [stored] } },
          statuses: { c1: { clientId: 'alice', from: 'online', to: 'busy', reason: 'client' } },
          versions: { c1: [3, 3] },
        },
      ]);
      expect(events).toEqual([
        { type: 'status', channel: 'desk:1', clientId: 'alice', connectionId: 'c1', meta: stored, from: 'online', to: 'busy', reason: 'client', at: T0 },
      ]);
    });

    it('keeps the status through a new meta without one, and changes it with a meta that names one', async () => {
      await tracked('c1', 'alice', 'desk:1', { status: 'busy' });

      expect(await presence.updateFrom('c1', 'desk:1', { meta: { name: 'A' } })).toEqual({ name: 'A', status: 'busy', connectionId: 'c1', onlineAt: T0 });
      await presence.updateFrom('c1', 'desk:1', { meta: { name: 'B', status: 'online' } });

      expect(statusEvents()).toEqual([
        { type: 'update', connectionId: 'c1' },
        { type: 'update', connectionId: 'c1' },
        { type: 'status', connectionId: 'c1', from: 'busy', to: 'online', reason: 'client' },
      ]);
      expect(statusDiffs()).toEqual([undefined, { c1: { clientId: 'alice', from: 'busy', to: 'online', reason: 'client' } }]);
    });

    it('refuses a status a client may not set with invalid, changing nothing', async () => {
      await tracked('c1', 'alice');

      const error = await refusal(() => presence.updateFrom('c1', 'desk:1', { status: 'away' }));

      expect(error.code).toBe('invalid');
      expect(error.message).toBe(NOT_SETTABLE('desk:1', 'away', ['online', 'busy']));
      expect(error.details).toEqual([{ field: 'status', message: 'is not a status clients may set' }]);
      expect(await presence.status('desk:1', 'c1')).toBe('online');
      expect(watcher.send).not.toHaveBeenCalled();
      expect(events).toEqual([]);
    });

    it('refuses a status in a channel without statuses', async () => {
      await member('c1', 'alice');
      await presence.track('c1', 'room:1', {});

      const error = await refusal(() => presence.updateFrom('c1', 'room:1', { status: 'busy' }));

      expect(error.message).toBe(NO_STATUSES('room:1'));
    });

    it('lets the server set any declared status, with reason server', async () => {
      await tracked('c1', 'alice');

      await presence.setStatus('c1', 'desk:1', 'away');

      expect(await presence.status('desk:1', 'c1')).toBe('away');
      expect(statusEvents()).toEqual([{ type: 'status', connectionId: 'c1', from: 'online', to: 'away', reason: 'server' }]);
      expect((await refusal(() => presence.setStatus('c1', 'desk:1', 'gone'))).code).toBe('invalid');
      expect((await refusal(() => presence.setStatus('nobody', 'desk:1', 'busy'))).code).toBe('not_joined');
    });

    it('sends nothing when the status is the one the member has', async () => {
      await tracked('c1', 'alice');

      await presence.setStatus('c1', 'desk:1', 'online');

      expect(watcher.send).not.toHaveBeenCalled();
      expect(events).toEqual([]);
    });

    it('moves a silent member with its timeout, and back to the initial status on its next activity', async () => {
      const connection = await tracked('c1', 'alice');

      await jest.advanceTimersByTimeAsync(999);
      expect(events).toEqual([]);
      await jest.advanceTimersByTimeAsync(1);
      expect(await presence.status('desk:1', 'c1')).toBe('away');
      connection.lastActiveAt = Date.now();
      presence.activity(connection);
      await jest.advanceTimersByTimeAsync(0);

      expect(statusEvents()).toEqual([
        { type: 'status', connectionId: 'c1', from: 'online', to: 'away', reason: 'timeout' },
        { type: 'status', connectionId: 'c1', from: 'away', to: 'online', reason: 'activity' },
      ]);
      expect(statusDiffs()).toEqual([
        { c1: { clientId: 'alice', from: 'online', to: 'away', reason: 'timeout' } },
        { c1: { clientId: 'alice', from: 'away', to: 'online', reason: 'activity' } },
      ]);
    });

    it('keeps a status the server set on a moved member, even the one it is in, past its next activity', async () => {
      const connection = await tracked('c1', 'alice');
      await jest.advanceTimersByTimeAsync(1000);

      await presence.setStatus('c1', 'desk:1', 'away');
      presence.activity(connection);
      await jest.advanceTimersByTimeAsync(0);

      expect(await presence.status('desk:1', 'c1')).toBe('away');
      expect(statusEvents()).toEqual([{ type: 'status', connectionId: 'c1', from: 'online', to: 'away', reason: 'timeout' }]);
    });

    it('keeps a status the client chose past the timeout', async () => {
      await tracked('c1', 'alice', 'desk:1', { status: 'busy' });

      await jest.advanceTimersByTimeAsync(10_000);

      expect(await presence.status('desk:1', 'c1')).toBe('busy');
      expect(events).toEqual([]);
    });

    it('keeps a connection\'s status per channel', async () => {
      const connection = await tracked('c1', 'alice', 'desk:1', { status: 'busy' });
      await bed.engine.memberships.join('desk:2', connection, {});
      await presence.track('c1', 'desk:2', {});
      events.length = 0;

      await jest.advanceTimersByTimeAsync(1000);

      expect(await presence.status('desk:1', 'c1')).toBe('busy');
      expect(await presence.status('desk:2', 'c1')).toBe('away');
      expect(statusEvents()).toEqual([{ type: 'status', connectionId: 'c1', from: 'online', to: 'away', reason: 'timeout' }]);
      expect(events[0].channel).toBe('desk:2');
    });

    it('leaves no timer behind once its members are gone', async () => {
      await tracked('c1', 'alice');
      expect(jest.getTimerCount()).toBe(1);

      await presence.untrack('c1', 'desk:1');
      await presence.untrack('w', 'desk:1');

      expect(jest.getTimerCount()).toBe(0);
      await jest.advanceTimersByTimeAsync(5000);
      expect(events.map((event) => event.type)).toEqual(['leave', 'leave']);
    });

    it('adds nothing to the members of channels without statuses', async () => {
      await member('c1', 'alice');

      expect(await presence.track('c1', 'room:1', { name: 'Alice' })).toEqual({ name: 'Alice', connectionId: 'c1', onlineAt: T0 });
      await presence.untrack('w', 'desk:1');
      expect(jest.getTimerCount()).toBe(0);
    });
  });

  it('streams events as an Observable that cannot be pushed into', () => {
    expect(isObservable(presence.presence$)).toBe(true);
    expect((presence.presence$ as unknown as { next?: unknown }).next).toBeUndefined();
  });
});
