import type { LocalConnection } from './realtime-engine.interface';
import { MemoryEngine } from './memory.engine';

const T0 = Date.UTC(2025, 0, 1);

function local(id: string, clientId = id, open = true): LocalConnection & { send: jest.Mock } {
  return { id, clientId, send: jest.fn(() => open) };
}

describe('MemoryEngine', () => {
  let engine: MemoryEngine;

  beforeEach(() => {
    jest.useFakeTimers({ now: T0 });
    engine = new MemoryEngine();
  });

  afterEach(() => jest.useRealTimers());

  describe('memberships', () => {
    it('adds, finds and lists members in join order', async () => {
      expect(await engine.join('chat', local('c1', 'alice'), { a: 1 })).toEqual({ created: true });
      jest.setSystemTime(T0 + 10);
      expect(await engine.join('chat', local('c2', 'bob'), {})).toEqual({ created: true });

      expect(await engine.membership('chat', 'c1')).toEqual({ connectionId: 'c1', clientId: 'alice', meta: { a: 1 }, joinedAt: T0 });
      expect((await engine.members('chat')).map((member) => member.connectionId)).toEqual(['c1', 'c2']);
      expect(await engine.memberCount('chat')).toBe(2);
      expect(await engine.memberCount('nowhere')).toBe(0);
      expect(await engine.members('nowhere')).toEqual([]);
    });

    it('updates the meta of a member that joins again, keeping its join time', async () => {
      await engine.join('chat', local('c1'), { v: 1 });
      jest.setSystemTime(T0 + 10);

      expect(await engine.join('chat', local('c1'), { v: 2 })).toEqual({ created: false });
      expect(await engine.membership('chat', 'c1')).toEqual({ connectionId: 'c1', clientId: 'c1', meta: { v: 2 }, joinedAt: T0 });
      expect(await engine.memberCount('chat')).toBe(1);
    });

    it('knows the channels of each connection', async () => {
      await engine.join('a', local('c1'), {});
      await engine.join('b', local('c1'), {});
      await engine.join('b', local('c2'), {});

      expect(await engine.channelsOf('c1')).toEqual(['a', 'b']);
      await engine.leave('a', 'c1');
      expect(await engine.channelsOf('c1')).toEqual(['b']);
      await engine.leave('b', 'c1');
      expect(await engine.channelsOf('c1')).toEqual([]);
      expect(await engine.channelsOf('c2')).toEqual(['b']);
    });

    it('answers the removed membership on leave, undefined when there was none', async () => {
      await engine.join('chat', local('c1', 'alice'), { a: 1 });

      expect(await engine.leave('chat', 'c1')).toEqual({ connectionId: 'c1', clientId: 'alice', meta: { a: 1 }, joinedAt: T0 });
      expect(await engine.leave('chat', 'c1')).toBeUndefined();
      expect(await engine.leave('nowhere', 'c1')).toBeUndefined();
      expect(await engine.membership('chat', 'c1')).toBeUndefined();
    });

    it('hands out copies of memberships', async () => {
      await engine.join('chat', local('c1'), {});
      const membership = (await engine.membership('chat', 'c1'))!;
      membership.clientId = 'changed';

      expect((await engine.membership('chat', 'c1'))!.clientId).toBe('c1');
    });
  });

  describe('publish', () => {
    it('writes the same frame to every member and counts the deliveries', async () => {
      const open1 = local('c1');
      const closed = local('c2', 'c2', false);
      const open2 = local('c3');
      for (const connection of [open1, closed, open2]) await engine.join('chat', connection, {});
      const frame = Buffer.from('{"event":"x"}');

      expect(await engine.publish('chat', frame)).toBe(2);
      for (const connection of [open1, closed, open2]) {
        expect(connection.send).toHaveBeenCalledTimes(1);
        expect(connection.send.mock.calls[0][0]).toBe(frame);
      }
    });

    it('delivers nothing to a channel it does not know', async () => {
      expect(await engine.publish('nowhere', Buffer.from('x'))).toBe(0);
    });

    it('sends to every local connection of a clientId through the bound node', async () => {
      const tabs = [local('t1', 'alice'), local('t2', 'alice')];
      expect(await engine.sendToClient('alice', Buffer.from('x'))).toBe(0);

      engine.bind({ connectionsOf: (clientId) => (clientId === 'alice' ? tabs : []) });
      const frame = Buffer.from('y');

      expect(await engine.sendToClient('alice', frame)).toBe(2);
      expect(tabs.map((tab) => tab.send.mock.calls[0][0])).toEqual([frame, frame]);
      expect(await engine.sendToClient('bob', frame)).toBe(0);
    });
  });

  describe('presence', () => {
    it('stores one meta per connection under its clientId, with the server fields', async () => {
      const first = await engine.presenceSet('room', 'alice', 't1', { device: 'laptop' });
      jest.setSystemTime(T0 + 50);
      const second = await engine.presenceSet('room', 'alice', 't2', { device: 'phone' });

      expect(first).toEqual({ clientId: 'alice', connectionId: 't1', meta: { device: 'laptop', connectionId: 't1', onlineAt: T0 }, countBefore: 0, countAfter: 1 });
      expect(second).toEqual({ clientId: 'alice', connectionId: 't2', meta: { device: 'phone', connectionId: 't2', onlineAt: T0 + 50 }, countBefore: 1, countAfter: 2 });
      expect(await engine.presenceState('room')).toEqual({ alice: { metas: [first.meta, second.meta] } });
      expect(await engine.presenceMeta('room', 't2')).toEqual({ clientId: 'alice', meta: second.meta });
    });

    it('keeps onlineAt when a meta is replaced', async () => {
      await engine.presenceSet('room', 'alice', 't1', { v: 1 });
      jest.setSystemTime(T0 + 999);

      const replaced = await engine.presenceSet('room', 'alice', 't1', { v: 2 });

      expect(replaced).toEqual({ clientId: 'alice', connectionId: 't1', meta: { v: 2, connectionId: 't1', onlineAt: T0 }, countBefore: 1, countAfter: 1 });
    });

    it('does not let a meta override the server fields', async () => {
      const write = await engine.presenceSet('room', 'alice', 't1', { connectionId: 'spoof', onlineAt: 1 });

      expect(write.meta).toEqual({ connectionId: 't1', onlineAt: T0 });
    });

    it('removes a connection, telling the counts, and drops a clientId left with none', async () => {
      await engine.presenceSet('room', 'alice', 't1', {});
      await engine.presenceSet('room', 'alice', 't2', {});

      expect(await engine.presenceRemove('room', 't1')).toEqual({
        clientId: 'alice',
        connectionId: 't1',
        meta: { connectionId: 't1', onlineAt: T0 },
        countBefore: 2,
        countAfter: 1,
      });
      expect((await engine.presenceRemove('room', 't2'))?.countAfter).toBe(0);
      expect(await engine.presenceState('room')).toEqual({});
      expect(await engine.presenceRemove('room', 't2')).toBeUndefined();
      expect(await engine.presenceRemove('nowhere', 't2')).toBeUndefined();
      expect(await engine.presenceMeta('room', 't2')).toBeUndefined();
    });

    it('finds presence entries whose connection is no longer a member', async () => {
      await engine.join('room', local('t1', 'alice'), {});
      await engine.join('room', local('t2', 'alice'), {});
      await engine.presenceSet('room', 'alice', 't1', {});
      await engine.presenceSet('room', 'alice', 't2', {});
      await engine.leave('room', 't2');

      expect(await engine.presenceOrphans()).toEqual([{ channel: 'room', connectionId: 't2' }]);
    });
  });

  describe('empty channels', () => {
    it('lists channels with no member and no presence, with the time they became empty', async () => {
      await engine.join('a', local('c1'), {});
      await engine.join('b', local('c2'), {});
      jest.setSystemTime(T0 + 100);
      await engine.leave('a', 'c1');

      expect(await engine.emptyChannels()).toEqual([{ channel: 'a', since: T0 + 100 }]);
    });

    it('does not count a channel that still holds presence as empty', async () => {
      await engine.join('room', local('c1', 'alice'), {});
      await engine.presenceSet('room', 'alice', 'c1', {});
      await engine.leave('room', 'c1');

      expect(await engine.emptyChannels()).toEqual([]);
      expect(await engine.dropChannel('room')).toBe(false);
      jest.setSystemTime(T0 + 7);
      await engine.presenceRemove('room', 'c1');
      expect(await engine.emptyChannels()).toEqual([{ channel: 'room', since: T0 + 7 }]);
    });

    it('drops a channel only while it is empty', async () => {
      await engine.join('a', local('c1'), {});

      expect(await engine.dropChannel('a')).toBe(false);
      await engine.leave('a', 'c1');
      expect(await engine.dropChannel('a')).toBe(true);
      expect(await engine.emptyChannels()).toEqual([]);
      expect(await engine.dropChannel('a')).toBe(false);
    });
  });

  describe('groups', () => {
    it('adds and removes clientIds, telling whether anything changed', async () => {
      expect(await engine.groupAdd('admins', 'alice')).toBe(true);
      expect(await engine.groupAdd('admins', 'alice')).toBe(false);
      await engine.groupAdd('admins', 'bob');
      await engine.groupAdd('ops', 'alice');

      expect(await engine.groupMembers('admins')).toEqual(['alice', 'bob']);
      expect(await engine.groupsOf('alice')).toEqual(['admins', 'ops']);
      expect(await engine.groupRemove('ops', 'alice')).toBe(true);
      expect(await engine.groupRemove('ops', 'alice')).toBe(false);
      expect(await engine.groupsOf('alice')).toEqual(['admins']);
      expect(await engine.groupMembers('ops')).toEqual([]);
    });
  });

  it('forgets everything on close', async () => {
    await engine.join('a', local('c1'), {});
    await engine.groupAdd('g', 'c1');
    await engine.close();

    expect(await engine.memberCount('a')).toBe(0);
    expect(await engine.channelsOf('c1')).toEqual([]);
    expect(await engine.groupMembers('g')).toEqual([]);
    expect(await engine.emptyChannels()).toEqual([]);
  });
});
