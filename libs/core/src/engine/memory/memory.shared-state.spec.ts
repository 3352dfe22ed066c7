import type { LocalConnection } from '../engine-node';
import type { StateTarget } from '../stores';
import { MemoryEngine } from './memory.engine';

const T0 = Date.UTC(2025, 0, 1);
const LIMITS = { maxKeys: 3, logSize: 2 };
const ROOM: StateTarget = { kind: 'channel', name: 'room' };

function local(id: string, clientId = id): LocalConnection & { send: jest.Mock; frames: () => any[] } {
  const send = jest.fn((_frame: Buffer) => true);
  return { id, clientId, send, frames: () => send.mock.calls.map(([frame]) => JSON.parse(frame.toString())) };
}

function set(key: string, value: unknown, extra: { ttl?: number; expected?: number; at?: number } = {}) {
  return { op: 'set' as const, key, value, by: 'alice', at: extra.at ?? T0, ttl: extra.ttl, expected: extra.expected };
}

describe('MemorySharedState', () => {
  let engine: MemoryEngine;

  beforeEach(() => {
    jest.useFakeTimers({ now: T0 });
    engine = new MemoryEngine();
  });

  afterEach(() => jest.useRealTimers());

  describe('writes', () => {
    it('creates a key at version 1 and counts each write in the revision', async () => {
      expect(await engine.state.write(ROOM, set('a', 1), LIMITS)).toEqual({
        ok: true,
        version: 1,
        change: { revision: 1, set: { a: { value: 1, version: 1, by: 'alice', at: T0 } }, removed: [] },
      });
      expect(await engine.state.write(ROOM, set('a', 2), LIMITS)).toMatchObject({ ok: true, version: 2, change: { revision: 2 } });
      expect(await engine.state.write(ROOM, set('b', 3), LIMITS)).toMatchObject({ ok: true, version: 1, change: { revision: 3 } });

      const snapshot = await engine.state.snapshot(ROOM);
      expect(snapshot).toEqual({
        entries: { a: { value: 2, version: 2, by: 'alice', at: T0 }, b: { value: 3, version: 1, by: 'alice', at: T0 } },
        revision: 3,
        epoch: expect.any(String),
      });
    });

    it('applies a set with an expected version only when it is the key’s, reporting the current one otherwise', async () => {
      await engine.state.write(ROOM, set('a', 'first'), LIMITS);

      expect(await engine.state.write(ROOM, set('a', 'x', { expected: 0 }), LIMITS)).toEqual({ ok: false, reason: 'conflict', version: 1, value: 'first' });
      expect(await engine.state.write(ROOM, set('b', 'x', { expected: 2 }), LIMITS)).toEqual({ ok: false, reason: 'conflict', version: 0, value: null });
      expect(await engine.state.write(ROOM, set('a', 'second', { expected: 1 }), LIMITS)).toMatchObject({ ok: true, version: 2 });
      expect(await engine.state.write(ROOM, set('b', 'new', { expected: 0 }), LIMITS)).toMatchObject({ ok: true, version: 1 });
      expect((await engine.state.snapshot(ROOM)).revision).toBe(3);
    });

    it('refuses a new key past maxKeys but still updates the keys it holds', async () => {
      for (const key of ['a', 'b', 'c']) await engine.state.write(ROOM, set(key, 1), LIMITS);

      expect(await engine.state.write(ROOM, set('d', 1), LIMITS)).toEqual({ ok: false, reason: 'full' });
      expect(await engine.state.write(ROOM, set('c', 2), LIMITS)).toMatchObject({ ok: true, version: 2 });
      expect((await engine.state.snapshot(ROOM)).revision).toBe(4);
    });

    it('deletes a key, reports a missing one, and checks the expected version of a delete', async () => {
      await engine.state.write(ROOM, set('a', 1), LIMITS);

      expect(await engine.state.write(ROOM, { op: 'delete', key: 'a', expected: 2 }, LIMITS)).toEqual({ ok: false, reason: 'conflict', version: 1, value: 1 });
      expect(await engine.state.write(ROOM, { op: 'delete', key: 'a', expected: 1 }, LIMITS)).toEqual({
        ok: true,
        version: 0,
        change: { revision: 2, set: {}, removed: ['a'] },
      });
      expect(await engine.state.write(ROOM, { op: 'delete', key: 'a' }, LIMITS)).toEqual({ ok: false, reason: 'missing' });
      expect(await engine.state.write(ROOM, { op: 'delete', key: 'a', expected: 1 }, LIMITS)).toEqual({ ok: false, reason: 'conflict', version: 0, value: null });
      expect(await engine.state.write(ROOM, set('a', 'again'), LIMITS)).toMatchObject({ ok: true, version: 1, change: { revision: 3 } });
    });

    it('keeps the states of a channel and of a group of the same name apart', async () => {
      await engine.state.write(ROOM, set('a', 1), LIMITS);
      await engine.state.write({ kind: 'group', name: 'room' }, set('b', 1), LIMITS);

      expect(Object.keys((await engine.state.snapshot(ROOM)).entries)).toEqual(['a']);
      expect(Object.keys((await engine.state.snapshot({ kind: 'group', name: 'room' })).entries)).toEqual(['b']);
    });
  });

  describe('deliveries', () => {
    it('sends each change to the members of the channel before the write resolves', async () => {
      const tab = local('t1');
      await engine.memberships.join('room', tab, {});

      await engine.state.write(ROOM, set('a', 1), LIMITS);
      await engine.state.write(ROOM, { op: 'delete', key: 'a' }, LIMITS);

      expect(tab.frames()).toEqual([
        { event: 'state:diff', data: { channel: 'room', revision: 1, set: { a: { value: 1, version: 1, by: 'alice', at: T0 } }, removed: [] } },
        { event: 'state:diff', data: { channel: 'room', revision: 2, set: {}, removed: ['a'] } },
      ]);
    });

    it('sends nothing for a refused write', async () => {
      const tab = local('t1');
      await engine.memberships.join('room', tab, {});

      await engine.state.write(ROOM, { op: 'delete', key: 'a' }, LIMITS);
      await engine.state.write(ROOM, set('a', 1, { expected: 3 }), LIMITS);

      expect(tab.send).not.toHaveBeenCalled();
    });

    it('sends a scope’s changes to the members of each channel that follows it, with the scope set', async () => {
      const inRoom = local('t1');
      const inChild = local('t2');
      await engine.memberships.join('room', inRoom, {});
      await engine.memberships.join('room/a', inChild, {});
      await engine.state.follow('room', 'room/a');
      await engine.state.follow('room', 'room/a');

      await engine.state.write(ROOM, set('k', true), LIMITS);

      expect(inRoom.frames().map((frame) => frame.data)).toEqual([expect.objectContaining({ channel: 'room', revision: 1 })]);
      expect(inRoom.frames()[0].data.scope).toBeUndefined();
      expect(inChild.frames().map((frame) => frame.data)).toEqual([expect.objectContaining({ channel: 'room/a', scope: 'room', revision: 1 })]);

      await engine.state.unfollow('room/a');
      await engine.state.write(ROOM, set('k', false), LIMITS);
      expect(inChild.send).toHaveBeenCalledTimes(1);
      expect(inRoom.send).toHaveBeenCalledTimes(2);
    });

    it('sends a group’s changes to every connection of its clients', async () => {
      const tabs = [local('t1', 'alice'), local('t2', 'alice'), local('t3', 'bob'), local('t4', 'carol')];
      engine.bind({ connectionsOf: (clientId) => tabs.filter((tab) => tab.clientId === clientId), get: () => undefined });
      await engine.groups.add('team', 'alice');
      await engine.groups.add('team', 'bob');

      await engine.state.write({ kind: 'group', name: 'team' }, set('goal', 'ship'), LIMITS);

      for (const tab of tabs.slice(0, 3)) expect(tab.frames()).toEqual([{ event: 'state:diff', data: expect.objectContaining({ group: 'team', revision: 1 }) }]);
      expect(tabs[3].send).not.toHaveBeenCalled();
    });
  });

  describe('changesSince', () => {
    it('gives the changes after a revision, nothing at the current one, and tells a lost window or epoch', async () => {
      for (const value of [1, 2, 3]) await engine.state.write(ROOM, set('a', value), LIMITS);
      const { epoch } = await engine.state.snapshot(ROOM);

      expect(await engine.state.changesSince(ROOM, 1, epoch)).toEqual({
        changes: [expect.objectContaining({ revision: 2 }), expect.objectContaining({ revision: 3 })],
        revision: 3,
      });
      expect(await engine.state.changesSince(ROOM, 3, epoch)).toEqual({ changes: [], revision: 3 });
      expect(await engine.state.changesSince(ROOM, 0, epoch)).toEqual({ lost: 'window' });
      expect(await engine.state.changesSince(ROOM, 2, 'other')).toEqual({ lost: 'epoch' });
      expect(await engine.state.changesSince(ROOM, 4, epoch)).toEqual({ lost: 'epoch' });
    });

    it('keeps the epoch of a state made by a read', async () => {
      const { epoch, revision } = await engine.state.snapshot(ROOM);
      await engine.state.write(ROOM, set('a', 1), LIMITS);

      expect(revision).toBe(0);
      expect(await engine.state.changesSince(ROOM, 0, epoch)).toEqual({ changes: [expect.objectContaining({ revision: 1 })], revision: 1 });
    });

    it('forgets a state with no key after the idle time, so an old position reads as another epoch', async () => {
      await engine.state.write(ROOM, set('a', 1), LIMITS);
      await engine.state.write({ kind: 'channel', name: 'kept' }, set('a', 1), LIMITS);
      await engine.state.write(ROOM, { op: 'delete', key: 'a' }, LIMITS);
      const { epoch } = await engine.state.snapshot(ROOM);

      await engine.sweep(T0 + 86_400_001);

      expect(await engine.state.changesSince(ROOM, 2, epoch)).toEqual({ lost: 'epoch' });
      expect((await engine.state.snapshot({ kind: 'channel', name: 'kept' })).revision).toBe(1);
    });
  });

  describe('expire', () => {
    it('removes the keys whose ttl ran out as one change per state, delivered with `expired`', async () => {
      const tab = local('t1');
      await engine.memberships.join('room', tab, {});
      await engine.state.write(ROOM, set('a', 1, { ttl: 100 }), LIMITS);
      await engine.state.write(ROOM, set('b', 1, { ttl: 100 }), LIMITS);
      await engine.state.write(ROOM, set('c', 1, { ttl: 500 }), LIMITS);
      expect((await engine.state.snapshot(ROOM)).entries.a).toEqual({ value: 1, version: 1, by: 'alice', at: T0, expiresAt: T0 + 100 });

      await engine.state.expire(T0 + 99);
      await engine.state.expire(T0 + 100);
      await engine.state.expire(T0 + 200);

      expect(tab.frames().slice(3)).toEqual([{ event: 'state:diff', data: { channel: 'room', revision: 4, set: {}, removed: ['a', 'b'], expired: ['a', 'b'] } }]);
      expect(Object.keys((await engine.state.snapshot(ROOM)).entries)).toEqual(['c']);
    });

    it('drops the ttl of a key set again without one', async () => {
      await engine.state.write(ROOM, set('a', 1, { ttl: 100 }), LIMITS);
      await engine.state.write(ROOM, set('a', 2), LIMITS);

      await engine.state.expire(T0 + 1_000);

      expect((await engine.state.snapshot(ROOM)).entries).toEqual({ a: { value: 2, version: 2, by: 'alice', at: T0 } });
    });
  });
});
