import type { LocalConnection } from '../engine-node';
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
      expect(await engine.memberships.join('chat', local('c1', 'alice'), { a: 1 })).toEqual({ created: true });
      jest.setSystemTime(T0 + 10);
      expect(await engine.memberships.join('chat', local('c2', 'bob'), {})).toEqual({ created: true });

      expect(await engine.memberships.get('chat', 'c1')).toEqual({ connectionId: 'c1', clientId: 'alice', meta: { a: 1 }, joinedAt: T0 });
      expect((await engine.memberships.members('chat')).map((member) => member.connectionId)).toEqual(['c1', 'c2']);
      expect(await engine.memberships.count('chat')).toBe(2);
      expect(await engine.memberships.count('nowhere')).toBe(0);
      expect(await engine.memberships.members('nowhere')).toEqual([]);
    });

    it('updates the meta of a member that joins again, keeping its join time', async () => {
      await engine.memberships.join('chat', local('c1'), { v: 1 });
      jest.setSystemTime(T0 + 10);

      expect(await engine.memberships.join('chat', local('c1'), { v: 2 })).toEqual({ created: false });
      expect(await engine.memberships.get('chat', 'c1')).toEqual({ connectionId: 'c1', clientId: 'c1', meta: { v: 2 }, joinedAt: T0 });
      expect(await engine.memberships.count('chat')).toBe(1);
    });

    it('knows the channels of each connection', async () => {
      await engine.memberships.join('a', local('c1'), {});
      await engine.memberships.join('b', local('c1'), {});
      await engine.memberships.join('b', local('c2'), {});

      expect(await engine.memberships.channelsOf('c1')).toEqual(['a', 'b']);
      await engine.memberships.leave('a', 'c1');
      expect(await engine.memberships.channelsOf('c1')).toEqual(['b']);
      await engine.memberships.leave('b', 'c1');
      expect(await engine.memberships.channelsOf('c1')).toEqual([]);
      expect(await engine.memberships.channelsOf('c2')).toEqual(['b']);
    });

    it('knows the channels of a connection whether or not it was told of the connection, before and after its close', async () => {
      await engine.memberships.join('a', local('c1', 'alice'), {});
      await engine.directory.opened({ connectionId: 'c1', clientId: 'alice', state: 'connected', connectedAt: T0 });
      await engine.memberships.join('b', local('c1', 'alice'), {});
      expect(await engine.memberships.channelsOf('c1')).toEqual(['a', 'b']);

      await engine.directory.closed('c1', 'alice');
      expect(await engine.memberships.channelsOf('c1')).toEqual(['a', 'b']);
      await engine.memberships.leave('a', 'c1');
      expect(await engine.memberships.channelsOf('c1')).toEqual(['b']);
      await engine.directory.opened({ connectionId: 'c1', clientId: 'alice', state: 'connected', connectedAt: T0 });
      await engine.memberships.join('c', local('c1', 'alice'), {});
      await engine.memberships.leave('b', 'c1');
      expect(await engine.memberships.channelsOf('c1')).toEqual(['c']);
      await engine.memberships.leave('c', 'c1');
      expect(await engine.memberships.channelsOf('c1')).toEqual([]);
    });

    it('keeps the channels of a connection in join order as it joins and leaves, one or several', async () => {
      for (const channel of ['a', 'b', 'c']) await engine.memberships.join(channel, local('c1'), {});
      await engine.memberships.leave('b', 'c1');
      await engine.memberships.leave('a', 'c1');
      expect(await engine.memberships.channelsOf('c1')).toEqual(['c']);
      await engine.memberships.join('a', local('c1'), {});
      expect(await engine.memberships.channelsOf('c1')).toEqual(['c', 'a']);
      await engine.memberships.leave('c', 'c1');
      await engine.memberships.leave('a', 'c1');
      expect(await engine.memberships.channelsOf('c1')).toEqual([]);
      expect(await engine.memberships.leave('a', 'c1')).toBeUndefined();
    });

    it('answers the removed membership on leave, undefined when there was none', async () => {
      await engine.memberships.join('chat', local('c1', 'alice'), { a: 1 });

      expect(await engine.memberships.leave('chat', 'c1')).toEqual({ connectionId: 'c1', clientId: 'alice', meta: { a: 1 }, joinedAt: T0 });
      expect(await engine.memberships.leave('chat', 'c1')).toBeUndefined();
      expect(await engine.memberships.leave('nowhere', 'c1')).toBeUndefined();
      expect(await engine.memberships.get('chat', 'c1')).toBeUndefined();
    });

    it('hands out copies of memberships', async () => {
      await engine.memberships.join('chat', local('c1'), {});
      const membership = (await engine.memberships.get('chat', 'c1'))!;
      membership.clientId = 'changed';

      expect((await engine.memberships.get('chat', 'c1'))!.clientId).toBe('c1');
    });
  });

  describe('publish', () => {
    it('writes the same frame to every member and counts the deliveries', async () => {
      const open1 = local('c1');
      const closed = local('c2', 'c2', false);
      const open2 = local('c3');
      for (const connection of [open1, closed, open2]) await engine.memberships.join('chat', connection, {});
      const frame = Buffer.from('{"event":"x"}');

      expect(await engine.broker.publish('chat', frame)).toBe(2);
      for (const connection of [open1, closed, open2]) {
        expect(connection.send).toHaveBeenCalledTimes(1);
        expect(connection.send.mock.calls[0][0]).toBe(frame);
      }
    });

    it('delivers nothing to a channel it does not know', async () => {
      expect(await engine.broker.publish('nowhere', Buffer.from('x'))).toBe(0);
    });

    it('sends to every local connection of a clientId through the bound node', async () => {
      const tabs = [local('t1', 'alice'), local('t2', 'alice')];
      expect(await engine.broker.sendToClient('alice', Buffer.from('x'))).toBe(0);

      engine.bind({ connectionsOf: (clientId) => (clientId === 'alice' ? tabs : []), get: () => undefined });
      const frame = Buffer.from('y');

      expect(await engine.broker.sendToClient('alice', frame)).toBe(2);
      expect(tabs.map((tab) => tab.send.mock.calls[0][0])).toEqual([frame, frame]);
      expect(await engine.broker.sendToClient('bob', frame)).toBe(0);
    });
  });

  describe('presence', () => {
    it('stores one meta per connection under its clientId, with the server fields', async () => {
      const first = await engine.presence.set('room', 'alice', 't1', { device: 'laptop' });
      jest.setSystemTime(T0 + 50);
      const second = await engine.presence.set('room', 'alice', 't2', { device: 'phone' });

      expect(first).toEqual({ clientId: 'alice', connectionId: 't1', meta: { device: 'laptop', connectionId: 't1', onlineAt: T0 }, countBefore: 0, countAfter: 1, version: 1 });
      expect(second).toEqual({ clientId: 'alice', connectionId: 't2', meta: { device: 'phone', connectionId: 't2', onlineAt: T0 + 50 }, countBefore: 1, countAfter: 2, version: 2 });
      expect(await engine.presence.state('room')).toEqual({ alice: { metas: [first.meta, second.meta] } });
      expect(await engine.presence.meta('room', 't2')).toEqual({ clientId: 'alice', meta: second.meta });
    });

    it('keeps onlineAt when a meta is replaced', async () => {
      await engine.presence.set('room', 'alice', 't1', { v: 1 });
      jest.setSystemTime(T0 + 999);

      const replaced = await engine.presence.set('room', 'alice', 't1', { v: 2 });

      expect(replaced).toEqual({ clientId: 'alice', connectionId: 't1', meta: { v: 2, connectionId: 't1', onlineAt: T0 }, countBefore: 1, countAfter: 1, version: 2 });
    });

    it('does not let a meta override the server fields', async () => {
      const write = await engine.presence.set('room', 'alice', 't1', { connectionId: 'spoof', onlineAt: 1 });

      expect(write.meta).toEqual({ connectionId: 't1', onlineAt: T0 });
    });

    it('counts every presence write of a channel, and reads the state with the version it stands at', async () => {
      expect(await engine.presence.versionedState('room')).toEqual({ presences: {}, version: 0 });
      expect((await engine.presence.set('room', 'alice', 't1', {})).version).toBe(1);
      expect((await engine.presence.set('room', 'alice', 't1', { v: 2 })).version).toBe(2);
      expect((await engine.presence.set('other', 'bob', 't2', {})).version).toBe(1);
      expect((await engine.presence.remove('room', 't1'))?.version).toBe(3);

      expect(await engine.presence.versionedState('room')).toEqual({ presences: {}, version: 3 });
    });

    it('removes a connection, telling the counts, and drops a clientId left with none', async () => {
      await engine.presence.set('room', 'alice', 't1', {});
      await engine.presence.set('room', 'alice', 't2', {});

      expect(await engine.presence.remove('room', 't1')).toEqual({
        clientId: 'alice',
        connectionId: 't1',
        meta: { connectionId: 't1', onlineAt: T0 },
        countBefore: 2,
        countAfter: 1,
        version: 3,
      });
      expect((await engine.presence.remove('room', 't2'))?.countAfter).toBe(0);
      expect(await engine.presence.state('room')).toEqual({});
      expect(await engine.presence.remove('room', 't2')).toBeUndefined();
      expect(await engine.presence.remove('nowhere', 't2')).toBeUndefined();
      expect(await engine.presence.meta('room', 't2')).toBeUndefined();
    });

    it("keeps a clientId's metas in join order as its connections come and go, one or several", async () => {
      const write = async (connectionId: string, v: number) => (await engine.presence.set('room', 'alice', connectionId, { v })).meta;
      const t1 = await write('t1', 1);
      await engine.presence.set('room', 'bob', 'b1', {});
      const t2 = await write('t2', 2);
      const t3 = await write('t3', 3);
      const t2b = await write('t2', 22);

      expect((await engine.presence.state('room')).alice).toEqual({ metas: [t1, t2b, t3] });
      expect(t2b.onlineAt).toBe(t2.onlineAt);
      expect((await engine.presence.remove('room', 't1'))?.countAfter).toBe(2);
      expect(await engine.presence.remove('room', 't3')).toMatchObject({ meta: t3, countBefore: 2, countAfter: 1 });
      expect(await engine.presence.meta('room', 't2')).toEqual({ clientId: 'alice', meta: t2b });
      expect(await engine.presence.meta('room', 't3')).toBeUndefined();
      const t4 = await write('t4', 4);
      expect(await engine.presence.state('room')).toEqual({ alice: { metas: [t2b, t4] }, bob: { metas: [expect.objectContaining({ connectionId: 'b1' })] } });
      expect(engine.presence.entries().map(({ clientId, connectionId }) => `${clientId}/${connectionId}`)).toEqual(['alice/t2', 'alice/t4', 'bob/b1']);
      expect(await engine.presence.remove('room', 't4')).toMatchObject({ countBefore: 2, countAfter: 1 });
      expect(await engine.presence.remove('room', 't2')).toMatchObject({ meta: t2b, countBefore: 1, countAfter: 0 });
      expect(await engine.presence.state('room')).toEqual({ bob: { metas: [expect.objectContaining({ connectionId: 'b1' })] } });
    });

    it('finds presence entries whose connection is no longer a member', async () => {
      await engine.memberships.join('room', local('t1', 'alice'), {});
      await engine.memberships.join('room', local('t2', 'alice'), {});
      await engine.presence.set('room', 'alice', 't1', {});
      await engine.presence.set('room', 'alice', 't2', {});
      await engine.memberships.leave('room', 't2');

      expect(await engine.presence.orphans()).toEqual([{ channel: 'room', connectionId: 't2' }]);
    });
  });

  describe('empty channels', () => {
    it('lists channels with no member and no presence, with the time they became empty', async () => {
      await engine.memberships.join('a', local('c1'), {});
      await engine.memberships.join('b', local('c2'), {});
      jest.setSystemTime(T0 + 100);
      await engine.memberships.leave('a', 'c1');

      expect(await engine.memberships.emptyChannels()).toEqual([{ channel: 'a', since: T0 + 100 }]);
    });

    it('does not count a channel that still holds presence as empty', async () => {
      await engine.memberships.join('room', local('c1', 'alice'), {});
      await engine.presence.set('room', 'alice', 'c1', {});
      await engine.memberships.leave('room', 'c1');

      expect(await engine.memberships.emptyChannels()).toEqual([]);
      expect(await engine.memberships.dropChannel('room')).toBe(false);
      jest.setSystemTime(T0 + 7);
      await engine.presence.remove('room', 'c1');
      expect(await engine.memberships.emptyChannels()).toEqual([{ channel: 'room', since: T0 + 7 }]);
    });

    it('drops a channel only while it is empty', async () => {
      await engine.memberships.join('a', local('c1'), {});

      expect(await engine.memberships.dropChannel('a')).toBe(false);
      await engine.memberships.leave('a', 'c1');
      expect(await engine.memberships.dropChannel('a')).toBe(true);
      expect(await engine.memberships.emptyChannels()).toEqual([]);
      expect(await engine.memberships.dropChannel('a')).toBe(false);
    });
  });

  describe('groups', () => {
    it('adds and removes clientIds, telling whether anything changed', async () => {
      expect(await engine.groups.add('admins', 'alice')).toBe(true);
      expect(await engine.groups.add('admins', 'alice')).toBe(false);
      await engine.groups.add('admins', 'bob');
      await engine.groups.add('ops', 'alice');

      expect(await engine.groups.members('admins')).toEqual(['alice', 'bob']);
      expect(await engine.groups.groupsOf('alice')).toEqual(['admins', 'ops']);
      expect(await engine.groups.remove('ops', 'alice')).toBe(true);
      expect(await engine.groups.remove('ops', 'alice')).toBe(false);
      expect(await engine.groups.groupsOf('alice')).toEqual(['admins']);
      expect(await engine.groups.members('ops')).toEqual([]);
    });
  });

  describe('member limit', () => {
    it('refuses a new member of a full channel, not a member that joins again', async () => {
      await engine.memberships.join('small', local('c1'), {}, 2);
      await engine.memberships.join('small', local('c2'), {}, 2);

      expect(await engine.memberships.join('small', local('c3'), {}, 2)).toEqual({ created: false, full: true });
      expect(await engine.memberships.join('small', local('c2'), { again: true }, 2)).toEqual({ created: false });
      expect(await engine.memberships.count('small')).toBe(2);
    });
  });

  describe('connections', () => {
    it('knows the connections of a client, their state, and when the last one closes', async () => {
      await engine.directory.opened({ connectionId: 't1', clientId: 'alice', state: 'connected', connectedAt: T0 });
      await engine.directory.opened({ connectionId: 't2', clientId: 'alice', state: 'connected', connectedAt: T0 + 1 });
      await engine.directory.stateChanged('t2', 'idle');

      expect(await engine.directory.connectionsOf('alice')).toEqual([
        { connectionId: 't1', clientId: 'alice', nodeId: engine.nodeId, state: 'connected', connectedAt: T0 },
        { connectionId: 't2', clientId: 'alice', nodeId: engine.nodeId, state: 'idle', connectedAt: T0 + 1 },
      ]);
      expect(await engine.directory.count()).toBe(2);
      expect(await engine.directory.closed('t1', 'alice')).toEqual({ lastOfClient: false });
      expect(await engine.directory.closed('t2', 'alice')).toEqual({ lastOfClient: true });
      await engine.directory.stateChanged('t2', 'connected');
      expect(await engine.directory.connectionsOf('alice')).toEqual([]);
    });

    it("keeps a client's connections as they open and close, one or several", async () => {
      const open = (connectionId: string) => engine.directory.opened({ connectionId, clientId: 'alice', state: 'connected', connectedAt: T0 });
      const ids = async () => (await engine.directory.connectionsOf('alice')).map((record) => record.connectionId);
      await open('t1');
      expect(await ids()).toEqual(['t1']);
      await open('t2');
      await open('t3');
      expect(await engine.directory.closed('t1', 'alice')).toEqual({ lastOfClient: false });
      expect(await engine.directory.closed('t2', 'alice')).toEqual({ lastOfClient: false });
      expect(await ids()).toEqual(['t3']);
      await open('t4');
      expect(await ids()).toEqual(['t3', 't4']);
      expect(await engine.directory.closed('t3', 'alice')).toEqual({ lastOfClient: false });
      expect(await engine.directory.closed('t4', 'alice')).toEqual({ lastOfClient: true });
      expect(await engine.directory.closed('t4', 'alice')).toEqual({ lastOfClient: true });
      expect(await ids()).toEqual([]);
    });

    it('writes to one connection of the bound node', async () => {
      const tab = local('t1', 'alice');
      engine.bind({ connectionsOf: () => [], get: (id) => (id === 't1' ? tab : undefined) });

      expect(await engine.broker.sendToConnection('t1', Buffer.from('x'))).toBe(true);
      expect(await engine.broker.sendToConnection('t9', Buffer.from('x'))).toBe(false);
      expect(tab.send).toHaveBeenCalledTimes(1);
    });
  });

  describe('history', () => {
    const HISTORY = { size: 3, ttl: 1000 };
    const body = (payload: unknown) => JSON.stringify({ channel: 'news', from: null, payload, at: 1 });
    const payloads = (frames: Buffer[]) => frames.map((frame) => JSON.parse(frame.toString()).data.payload);

    it('numbers the messages, delivers them with offset and epoch, and gives back exactly those after a position', async () => {
      const reader = local('r1');
      await engine.memberships.join('news', reader, {});
      const { epoch } = await engine.broker.position('news');

      const first = await engine.broker.publishMessage('news', body('a'), HISTORY);
      await engine.broker.publishMessage('news', body('b'), HISTORY);

      expect(first).toEqual({ delivered: 1, position: { offset: 1, epoch } });
      expect(JSON.parse(reader.send.mock.calls[0][0].toString())).toEqual({
        event: 'channel:message',
        data: { channel: 'news', from: null, payload: 'a', at: 1, offset: 1, epoch },
      });
      const read = await engine.broker.historySince('news', { offset: 1, epoch }, HISTORY);
      expect('frames' in read && payloads(read.frames)).toEqual(['b']);
      expect(await engine.broker.historySince('news', { offset: 2, epoch }, HISTORY)).toEqual({ frames: [], position: { offset: 2, epoch } });
    });

    it('keeps at most size messages, for at most ttl: what is past them is a gap, never skipped silently', async () => {
      const { epoch } = await engine.broker.position('news');
      for (const payload of ['a', 'b', 'c', 'd']) await engine.broker.publishMessage('news', body(payload), HISTORY);

      expect(await engine.broker.historySince('news', { offset: 0, epoch }, HISTORY)).toEqual({ lost: 'window' });
      const kept = await engine.broker.historySince('news', { offset: 1, epoch }, HISTORY);
      expect('frames' in kept && payloads(kept.frames)).toEqual(['b', 'c', 'd']);
      jest.setSystemTime(T0 + 1001);
      expect(await engine.broker.historySince('news', { offset: 3, epoch }, HISTORY)).toEqual({ lost: 'window' });
    });

    it('answers another epoch, or an offset from the future, as a lost history', async () => {
      const { epoch } = await engine.broker.position('news');
      await engine.broker.publishMessage('news', body('a'), HISTORY);

      expect(await engine.broker.historySince('news', { offset: 0, epoch: 'other' }, HISTORY)).toEqual({ lost: 'epoch' });
      expect(await engine.broker.historySince('news', { offset: 5, epoch }, HISTORY)).toEqual({ lost: 'epoch' });
    });

    it('forgets a channel idle for longer than the meta ttl: its next position has a new epoch', async () => {
      const short = new MemoryEngine({ historyMetaTtl: 5000 });
      const { epoch } = await short.broker.position('news');
      await short.broker.publishMessage('news', body('a'), HISTORY);
      jest.setSystemTime(T0 + 4000);
      await short.sweep(Date.now());
      expect((await short.broker.position('news')).epoch).toBe(epoch);

      jest.setSystemTime(T0 + 5001);
      await short.sweep(Date.now());
      expect(await short.broker.position('news')).toEqual({ offset: 0, epoch: expect.not.stringMatching(epoch) });
    });
  });

  describe('sessions', () => {
    const session = { clientId: 'alice', anonymous: false, channels: [{ channel: 'room', meta: {} }] };

    it('hands a saved session out once, within its time to live', async () => {
      await engine.sessions.save('t1', session, 1000);
      await engine.sessions.save('t2', session, 1000);

      expect(await engine.sessions.take('t1')).toEqual(session);
      expect(await engine.sessions.take('t1')).toBeUndefined();
      jest.setSystemTime(T0 + 1001);
      expect(await engine.sessions.take('t2')).toBeUndefined();
    });
  });

  it('forgets everything on close', async () => {
    await engine.memberships.join('a', local('c1'), {});
    await engine.groups.add('g', 'c1');
    await engine.close();

    expect(await engine.memberships.count('a')).toBe(0);
    expect(await engine.memberships.channelsOf('c1')).toEqual([]);
    expect(await engine.groups.members('g')).toEqual([]);
    expect(await engine.memberships.emptyChannels()).toEqual([]);
  });
});
