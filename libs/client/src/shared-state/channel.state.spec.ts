import type { StateEntry } from '@nest-realtime/protocol';
import { RealtimeError } from '../error/realtime.error';
import { RealtimeClient } from '../realtime-client';
import { ScriptedSocket, ScriptedTransport } from '../testing/scripted.transport';
import type { SharedStateChange } from './state.events';

const ENDPOINT = 'ws://127.0.0.1:1/realtime';
const ROOM = 'org:acme/team:web';
const ORG = 'org:acme';

type RoomState = { topic: string; pinned: number[] };

function entry<V>(value: V, version = 1, by: string | null = 'bob'): StateEntry<V> {
  return { value, version, by, at: 1 };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('channel.sharedState', () => {
  let scripted: ScriptedTransport;
  let clients: RealtimeClient[];

  beforeEach(() => {
    scripted = new ScriptedTransport();
    clients = [];
  });

  afterEach(() => clients.forEach((client) => client.close()));

  async function joinedRoom(grant?: { token: string; ttl: number }) {
    const client = new RealtimeClient({ url: ENDPOINT, transport: scripted.transport, reconnect: { random: () => 0 } });
    clients.push(client);
    client.connect();
    const socket = await scripted.socket(1);
    socket.welcome(undefined, 'alice', grant);
    const room = client.channel<string, Record<string, unknown>, RoomState>(ROOM);
    const joining = room.join();
    socket.replyAll('channel:join', () => ({ channel: ROOM }));
    await joining;
    const changes: Array<SharedStateChange<RoomState>> = [];
    room.sharedState.onChange((change) => changes.push(change));
    const errors: RealtimeError[] = [];
    client.on('error', (error) => errors.push(error));
    return { client, socket, room, state: room.sharedState, changes, errors };
  }

  const snapshot = (socket: ScriptedSocket, entries: Record<string, StateEntry>, revision: number, scope?: string, epoch = 'e1') =>
    socket.push({ event: 'state:snapshot', data: { channel: ROOM, ...(scope && { scope }), entries, revision, epoch } });
  const diff = (socket: ScriptedSocket, revision: number, change: { set?: Record<string, StateEntry>; removed?: string[]; expired?: string[] }, scope?: string) =>
    socket.push({ event: 'state:diff', data: { channel: ROOM, ...(scope && { scope }), revision, set: {}, removed: [], ...change } });

  describe('a single scope', () => {
    it('is not ready before its snapshot, and takes the snapshot as its copy, one change per key', async () => {
      const { socket, state, changes } = await joinedRoom();
      const snapshots: unknown[] = [];
      state.onSnapshot((applied) => snapshots.push(applied));
      expect([state.ready, state.get('topic'), state.version('topic')]).toEqual([false, undefined, 0]);

      snapshot(socket, { topic: entry('hello', 3), pinned: entry([1], 1, null) }, 4);

      expect(state.ready).toBe(true);
      expect(state.values()).toEqual({ topic: 'hello', pinned: [1] });
      expect(state.entry('topic')).toEqual({ value: 'hello', version: 3, by: 'bob', at: 1, scope: ROOM });
      expect(changes).toEqual([
        { key: 'topic', value: 'hello', previous: undefined, version: 3, by: 'bob', scope: ROOM, reason: 'snapshot' },
        { key: 'pinned', value: [1], previous: undefined, version: 1, by: null, scope: ROOM, reason: 'snapshot' },
      ]);
      expect(snapshots).toEqual([{ scope: ROOM, revision: 4, epoch: 'e1' }]);
    });

    it('applies diffs in revision order and tells why each key changed', async () => {
      const { socket, state, changes } = await joinedRoom();
      snapshot(socket, { topic: entry('hello'), pinned: entry([1]), draft: entry('x') }, 1);
      changes.length = 0;

      diff(socket, 2, { set: { topic: entry('news', 2, 'carol') } });
      diff(socket, 3, { removed: ['pinned'] });
      diff(socket, 4, { removed: ['draft'], expired: ['draft'] });

      expect(state.values()).toEqual({ topic: 'news' });
      expect(changes.map(({ key, value, previous, version, by, reason }) => [key, value, previous, version, by, reason])).toEqual([
        ['topic', 'news', 'hello', 2, 'carol', 'set'],
        ['pinned', undefined, [1], 0, null, 'removed'],
        ['draft', undefined, 'x', 0, null, 'expired'],
      ]);
      expect(state.positions()).toEqual({ [ROOM]: { revision: 4, epoch: 'e1' } });
    });

    it('drops a diff whose revision it holds already, and one that comes before any snapshot', async () => {
      const { socket, state, changes } = await joinedRoom();
      diff(socket, 1, { set: { topic: entry('too early') } });
      snapshot(socket, { topic: entry('hello', 2) }, 5);
      changes.length = 0;

      diff(socket, 5, { set: { topic: entry('stale', 3) } });
      diff(socket, 4, { removed: ['topic'] });

      expect([state.get('topic'), state.version('topic')]).toEqual(['hello', 2]);
      expect(changes).toEqual([]);
      expect(state.positions()[ROOM].revision).toBe(5);
    });

    it('applies a diff past a gap in the revisions, and reports the gap as a protocol error', async () => {
      const { socket, state, errors } = await joinedRoom();
      snapshot(socket, {}, 1);

      diff(socket, 4, { set: { topic: entry('after a gap', 3) } });

      expect(state.get('topic')).toBe('after a gap');
      expect(errors.map((error) => error.code)).toEqual(['protocol']);
      expect(errors[0].message).toContain('from revision 1 to 4');
    });

    it('fires changes only for the keys a later snapshot changes', async () => {
      const { socket, state, changes } = await joinedRoom();
      snapshot(socket, { topic: entry('hello'), pinned: entry([1]) }, 2);
      changes.length = 0;

      snapshot(socket, { topic: entry('hello'), pinned: entry([1, 2], 2) }, 1, undefined, 'e2');

      expect(changes.map(({ key, value, previous, reason }) => [key, value, previous, reason])).toEqual([['pinned', [1, 2], [1], 'snapshot']]);
      expect(state.positions()).toEqual({ [ROOM]: { revision: 1, epoch: 'e2' } });
    });

    it('forgets the copy when the channel is left, and ignores frames until joined again', async () => {
      const { socket, room, state } = await joinedRoom();
      snapshot(socket, { topic: entry('hello') }, 1);

      const leaving = room.leave();
      socket.replyAll('channel:leave');
      await leaving;
      snapshot(socket, { topic: entry('not a member') }, 2);

      expect([state.ready, state.values(), state.positions()]).toEqual([false, {}, {}]);
    });
  });

  describe('a hierarchy of scopes', () => {
    it('merges the scopes, the nearest one winning where keys meet', async () => {
      const { socket, state } = await joinedRoom();

      snapshot(socket, { topic: entry('acme topic'), motto: entry('ship it') }, 7, ORG, 'o1');
      expect(state.ready).toBe(false);
      snapshot(socket, { topic: entry('web topic', 2) }, 3);

      expect(state.ready).toBe(true);
      expect(state.values()).toEqual({ topic: 'web topic', motto: 'ship it' });
      expect(state.entries()).toEqual({
        topic: { value: 'web topic', version: 2, by: 'bob', at: 1, scope: ROOM },
        motto: { value: 'ship it', version: 1, by: 'bob', at: 1, scope: ORG },
      });
      expect(state.positions()).toEqual({ [ORG]: { revision: 7, epoch: 'o1' }, [ROOM]: { revision: 3, epoch: 'e1' } });
    });

    it('fires no change for an ancestor key its own scope shadows, and uncovers the ancestor when its own is removed', async () => {
      const { socket, state, changes } = await joinedRoom();
      snapshot(socket, { topic: entry('acme topic') }, 7, ORG, 'o1');
      snapshot(socket, { topic: entry('web topic') }, 3);
      changes.length = 0;

      diff(socket, 8, { set: { topic: entry('acme topic 2', 2, 'ceo'), motto: entry('ship it', 1, 'ceo') } }, ORG);
      expect(changes.map(({ key, scope, reason }) => [key, scope, reason])).toEqual([['motto', ORG, 'set']]);

      diff(socket, 4, { removed: ['topic'] });
      expect(changes[1]).toEqual({ key: 'topic', value: 'acme topic 2', previous: 'web topic', version: 2, by: 'ceo', scope: ORG, reason: 'removed' });
      expect(state.get('topic')).toBe('acme topic 2');

      diff(socket, 9, { removed: ['topic'], expired: ['topic'] }, ORG);
      expect(changes[2]).toEqual({ key: 'topic', value: undefined, previous: 'acme topic 2', version: 0, by: null, scope: ORG, reason: 'expired' });
    });

    it('keeps a revision per scope: a diff is stale or not against its own scope only', async () => {
      const { socket, state } = await joinedRoom();
      snapshot(socket, {}, 10, ORG, 'o1');
      snapshot(socket, {}, 2);

      diff(socket, 3, { set: { topic: entry('web') } });
      diff(socket, 3, { set: { motto: entry('stale for acme') } }, ORG);
      diff(socket, 11, { set: { motto: entry('acme') } }, ORG);

      expect(state.values()).toEqual({ topic: 'web', motto: 'acme' });
      expect(state.positions()).toEqual({ [ORG]: { revision: 11, epoch: 'o1' }, [ROOM]: { revision: 3, epoch: 'e1' } });
    });
  });

  describe('writes', () => {
    it('sends state:set with the version and ttl asked for, and resolves with the server result; the copy follows the diff', async () => {
      const { socket, state } = await joinedRoom();
      snapshot(socket, { topic: entry('hello', 4) }, 9);

      const written = state.set('topic', 'news', { version: 4, ttl: 60_000 });
      await settle();
      const [frame] = socket.sent.filter((sent) => sent.event === 'state:set');
      expect(frame.data).toEqual({ channel: ROOM, key: 'topic', value: 'news', version: 4, ttl: 60_000 });
      socket.replyAll('state:set', () => ({ channel: ROOM, key: 'topic', version: 5, revision: 10 }));

      await expect(written).resolves.toEqual({ channel: ROOM, key: 'topic', version: 5, revision: 10 });
      expect(state.get('topic')).toBe('hello');
      diff(socket, 10, { set: { topic: entry('news', 5, 'alice') } });
      expect(state.get('topic')).toBe('news');
    });

    it('rejects a stale version with the conflict error, carrying the current version and value', async () => {
      const { socket, state } = await joinedRoom();

      const written = state.set('topic', 'mine', { version: 0 });
      await settle();
      const [frame] = socket.sent.filter((sent) => sent.event === 'state:set');
      socket.push({
        event: 'reply',
        ref: frame.ref,
        data: { ok: false, error: { code: 'conflict', message: 'The key "topic" is at version 3, not 0.', details: { version: 3, value: 'theirs' } } },
      });

      const error = await written.catch((failure: unknown) => failure);
      expect(error).toBeInstanceOf(RealtimeError);
      expect(error).toMatchObject({ code: 'conflict', details: { version: 3, value: 'theirs' } });
    });

    it('sends state:delete, with the version when asked', async () => {
      const { socket, state } = await joinedRoom();

      const deleted = state.delete('topic', { version: 2 });
      const plain = state.delete('pinned');
      await settle();
      expect(socket.sent.filter((sent) => sent.event === 'state:delete').map((sent) => sent.data)).toEqual([
        { channel: ROOM, key: 'topic', version: 2 },
        { channel: ROOM, key: 'pinned' },
      ]);
      socket.replyAll('state:delete', (sent) => ({ channel: ROOM, key: (sent.data as { key: string }).key, version: 0, revision: 3 }));
      await expect(Promise.all([deleted, plain])).resolves.toHaveLength(2);
    });

    it('refuses writes outside a membership and bad keys or values, sending nothing', async () => {
      const { client, socket, state } = await joinedRoom();
      const other = client.channel<unknown, Record<string, unknown>, RoomState>('room:elsewhere');

      await expect(other.sharedState.set('topic', 'x')).rejects.toMatchObject({ code: 'not_joined' });
      await expect(state.set('' as 'topic', 'x')).rejects.toMatchObject({ code: 'invalid' });
      await expect(state.set('topic', undefined as unknown as string)).rejects.toMatchObject({ code: 'invalid', message: expect.stringContaining('delete("topic")') });
      expect(socket.sent.filter((sent) => sent.event.startsWith('state:'))).toEqual([]);
    });

    it('is typed by the channel state: keys and values', async () => {
      const { state } = await joinedRoom();
      const topic: string | undefined = state.get('topic');
      // @ts-expect-error: not a key of RoomState
      state.get('nope');
      // @ts-expect-error: topic is a string
      void state.set('topic', 42).catch(() => undefined);
      state.onChange((change) => {
        if (change.key === 'pinned') change.value?.map((n: number) => n + 1);
      });
      expect(topic).toBeUndefined();
    });
  });

  describe('resume', () => {
    const GRANT = { token: 'tok', ttl: 60_000 };

    it("asks for each scope's revision and epoch, and goes on from the diffs the server replays", async () => {
      const { socket, state } = await joinedRoom(GRANT);
      snapshot(socket, { topic: entry('acme') }, 7, ORG, 'o1');
      snapshot(socket, { topic: entry('web') }, 3);
      socket.end({ code: 1006, reason: '' });

      const next = await scripted.socket(2);
      next.welcome(undefined, 'alice', { token: 'next', ttl: 60_000 });
      expect(next.sent).toEqual([
        {
          event: 'connection:resume',
          data: { token: 'tok', channels: { [ROOM]: null }, state: { [ROOM]: { [ORG]: { revision: 7, epoch: 'o1' }, [ROOM]: { revision: 3, epoch: 'e1' } } } },
          ref: expect.any(String),
        },
      ]);
      diff(next, 4, { set: { topic: entry('web 2', 2) } });
      next.replyAll('connection:resume', () => ({ resumed: true, missed: 0, channels: { [ROOM]: { missed: 0 } } }));
      await settle();

      expect([state.ready, state.get('topic'), state.positions()[ROOM].revision]).toEqual([true, 'web 2', 4]);
    });

    it('asks for no state when no channel holds one', async () => {
      const { socket } = await joinedRoom(GRANT);
      socket.end({ code: 1006, reason: '' });

      const next = await scripted.socket(2);
      next.welcome();

      expect(next.sent[0].data).toEqual({ token: 'tok', channels: { [ROOM]: null } });
    });
  });

  describe('a group state', () => {
    it('fills from a snapshot that came before the application asked for it, and is read-only', async () => {
      const { client, socket } = await joinedRoom();
      socket.push({ event: 'state:snapshot', data: { group: 'team:ops', entries: { shift: entry('night') }, revision: 1, epoch: 'g1' } });

      const ops = client.groupState<{ shift: string }>('team:ops');
      const changes: unknown[] = [];
      ops.onChange(({ key, value, reason }) => changes.push([key, value, reason]));
      socket.push({ event: 'state:diff', data: { group: 'team:ops', revision: 2, set: { shift: entry('day', 2, null) }, removed: [] } });

      expect([ops.ready, ops.get('shift')]).toEqual([true, 'day']);
      expect(changes).toEqual([['shift', 'day', 'set']]);
      expect('set' in ops).toBe(false);
      expect(() => client.groupState('')).toThrow(RealtimeError);
    });

    it('keeps the diffs that come before the snapshot, and applies those above its revision once it comes', async () => {
      const { client, socket } = await joinedRoom();
      const ops = client.groupState<{ shift: string; lead: string }>('team:ops');
      const group = (event: string, data: object) => socket.push({ event, data: { group: 'team:ops', ...data } });

      group('state:diff', { revision: 2, set: { shift: entry('early', 2) }, removed: [] });
      group('state:diff', { revision: 3, set: { lead: entry('carol') }, removed: [] });
      expect(ops.ready).toBe(false);
      group('state:snapshot', { entries: { shift: entry('early', 2) }, revision: 2, epoch: 'g1' });

      expect(ops.values()).toEqual({ shift: 'early', lead: 'carol' });
      expect(ops.positions()).toEqual({ 'team:ops': { revision: 3, epoch: 'g1' } });
    });

    it('after a reconnect, holds the diffs of the new connection until its fresh snapshot', async () => {
      const { client, socket, errors } = await joinedRoom();
      const ops = client.groupState<{ shift: string }>('team:ops');
      socket.push({ event: 'state:snapshot', data: { group: 'team:ops', entries: { shift: entry('night') }, revision: 1, epoch: 'g1' } });
      socket.end({ code: 1006, reason: '' });

      const next = await scripted.socket(2);
      next.welcome();
      // Revisions 2 to 4 were written while this client was away; the snapshot has them.
      next.push({ event: 'state:diff', data: { group: 'team:ops', revision: 5, set: { shift: entry('day', 5) }, removed: [] } });
      expect(ops.get('shift')).toBe('night');
      next.push({ event: 'state:snapshot', data: { group: 'team:ops', entries: { shift: entry('evening', 4) }, revision: 4, epoch: 'g1' } });

      expect([ops.get('shift'), ops.version('shift')]).toEqual(['day', 5]);
      expect(errors).toEqual([]);
    });
  });
});
