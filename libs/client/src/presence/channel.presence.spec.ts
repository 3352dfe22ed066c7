import type { PresenceMeta, PresenceState } from '@nest-realtime/protocol';
import { ChannelPresence } from './channel.presence';

type Meta = { name?: string; status?: string };

function meta(connectionId: string, fields: Meta = {}): PresenceMeta<Meta> {
  return { ...fields, connectionId, onlineAt: 1 };
}

function state(entries: Record<string, PresenceMeta<Meta>[]>): PresenceState<Meta> {
  return Object.fromEntries(Object.entries(entries).map(([clientId, metas]) => [clientId, { metas }]));
}

const none = {};

describe('ChannelPresence', () => {
  let presence: ChannelPresence<Meta>;
  let log: string[];
  let listenerErrors: unknown[];

  beforeEach(() => {
    listenerErrors = [];
    presence = new ChannelPresence<Meta>((error) => listenerErrors.push(error));
    log = [];
    presence.onJoin(({ clientId, meta, first }) => log.push(`join ${clientId}/${meta.connectionId}${first ? ' first' : ''}`));
    presence.onLeave(({ clientId, meta, last }) => log.push(`leave ${clientId}/${meta.connectionId}${last ? ' last' : ''}`));
    presence.onUpdate(({ clientId, meta, previous }) => log.push(`update ${clientId}/${meta.connectionId} ${previous.status}→${meta.status}`));
  });

  function members() {
    return presence.list().map(({ clientId, metas }) => `${clientId}:${metas.map((m) => m.connectionId).join(',')}`);
  }

  it('takes the full state as its copy, firing a first join per clientId', () => {
    presence.syncState(state({ alice: [meta('a1'), meta('a2')], bob: [meta('b1')] }));

    expect(members()).toEqual(['alice:a1,a2', 'bob:b1']);
    expect(log).toEqual(['join alice/a1 first', 'join alice/a2', 'join bob/b1 first']);
    expect(presence.count).toBe(2);
    expect(presence.inSync).toBe(true);
  });

  it('applies the joins, updates and leaves of a diff', () => {
    presence.syncState(state({ alice: [meta('a1', { status: 'online' })], bob: [meta('b1')] }));
    log = [];

    presence.syncDiff({
      joins: state({ carol: [meta('c1')], alice: [meta('a2')] }),
      updates: state({ alice: [meta('a1', { status: 'away' })] }),
      leaves: state({ bob: [meta('b1')] }),
    });

    expect(members()).toEqual(['alice:a1,a2', 'carol:c1']);
    expect(presence.get('alice')!.metas[0].status).toBe('away');
    expect(log).toEqual(['join carol/c1 first', 'join alice/a2', 'update alice/a1 online→away', 'leave bob/b1 last']);
  });

  it('fires last only when a client\'s last connection leaves', () => {
    presence.syncState(state({ alice: [meta('a1'), meta('a2')] }));
    log = [];

    presence.syncDiff({ joins: none, updates: none, leaves: state({ alice: [meta('a1')] }) });
    presence.syncDiff({ joins: none, updates: none, leaves: state({ alice: [meta('a2')] }) });

    expect(log).toEqual(['leave alice/a1', 'leave alice/a2 last']);
    expect(presence.get('alice')).toBeUndefined();
  });

  it('changes nothing when a diff joins a connection it already holds (the joiner\'s own join)', () => {
    presence.syncState(state({ alice: [meta('a1', { name: 'Alice' })] }));
    log = [];
    const syncs: number[] = [];
    presence.onSync((list) => syncs.push(list.length));

    presence.syncDiff({ joins: state({ alice: [meta('a1', { name: 'Alice' })] }), updates: none, leaves: none });

    expect(log).toEqual([]);
    expect(members()).toEqual(['alice:a1']);
    expect(syncs).toEqual([1]);
  });

  it('ignores the leave of a connection it does not hold', () => {
    presence.syncState(state({ alice: [meta('a1')] }));
    log = [];

    presence.syncDiff({ joins: none, updates: none, leaves: state({ alice: [meta('gone')], zed: [meta('z1')] }) });

    expect(log).toEqual([]);
    expect(members()).toEqual(['alice:a1']);
  });

  it('a leave and a join of one client in one diff (a reconnect) never makes it look gone', () => {
    presence.syncState(state({ alice: [meta('old')] }));
    log = [];

    presence.syncDiff({ joins: state({ alice: [meta('new')] }), updates: none, leaves: state({ alice: [meta('old')] }) });

    expect(log).toEqual(['join alice/new', 'leave alice/old']);
    expect(members()).toEqual(['alice:new']);
  });

  it('ignores diffs before its first state and after a lost connection, until a fresh state', () => {
    expect(presence.syncDiff({ joins: state({ alice: [meta('a1')] }), updates: none, leaves: none })).toBe(false);
    expect(members()).toEqual([]);

    presence.syncState(state({ alice: [meta('a1')] }));
    presence.markStale();
    expect(presence.syncDiff({ joins: state({ bob: [meta('b1')] }), updates: none, leaves: none })).toBe(false);

    expect(members()).toEqual(['alice:a1']);
    expect(presence.inSync).toBe(false);
  });

  it('after a server restart, replaces every connection without a duplicate and without first/last for who stayed', () => {
    presence.syncState(state({ alice: [meta('a-old', { status: 'away' })], bob: [meta('b-old')], carol: [meta('c-old')] }));
    presence.markStale();
    log = [];

    presence.syncState(state({ alice: [meta('a-new', { status: 'away' })], bob: [meta('b-new')] }));

    expect(members()).toEqual(['alice:a-new', 'bob:b-new']);
    expect(log).toEqual(['join alice/a-new', 'join bob/b-new', 'leave alice/a-old', 'leave bob/b-old', 'leave carol/c-old last']);
  });

  it('takes the compact form of states and diffs as the full one', () => {
    presence.syncState([
      ['ann', 'a1', 1, { name: 'Ann' }],
      ['ann', 'a2', 1, { name: 'Ann' }],
      ['bob', 'b1', 1, {}],
    ]);
    presence.syncDiff({
      channel: 'room',
      joins: [['cat', 'c1', 1, { name: 'Cat' }, 1]],
      leaves: [['ann', 'a1'], ['bob', 'b1', 1]],
      updates: [['ann', 'a2', 1, { name: 'Ann', status: 'away' }]],
    });

    expect(log).toEqual(['join ann/a1 first', 'join ann/a2', 'join bob/b1 first', 'join cat/c1 first', 'update ann/a2 undefined→away', 'leave ann/a1', 'leave bob/b1 last']);
    expect(presence.list()).toEqual([
      { clientId: 'ann', metas: [meta('a2', { name: 'Ann', status: 'away' })] },
      { clientId: 'cat', metas: [meta('c1', { name: 'Cat' })] },
    ]);
  });

  it('skips malformed compact tuples', () => {
    presence.syncState([['ann', 'a1', 1, { name: 'Ann' }], 'bob', [7, 'x'], ['cat']] as never);

    expect(members()).toEqual(['ann:a1']);
  });

  it('reports the metas after each change', () => {
    const joins: string[][] = [];
    presence.onJoin(({ metas }) => joins.push(metas.map((m) => m.connectionId)));

    presence.syncState(state({ alice: [meta('a1'), meta('a2')] }));

    expect(joins).toEqual([['a1'], ['a1', 'a2']]);
  });

  it('skips entries without metas or connectionIds', () => {
    presence.syncState({ alice: { metas: [] }, bob: { metas: [{ nope: true }] } as never, carol: {} as never });
    expect(members()).toEqual([]);
  });

  it('forgets everyone when the channel is left', () => {
    presence.syncState(state({ alice: [meta('a1')] }));
    const syncs: number[] = [];
    presence.onSync((list) => syncs.push(list.length));

    presence.clear();

    expect(members()).toEqual([]);
    expect(syncs).toEqual([0]);
  });

  it('keeps going when a callback throws, and reports it', () => {
    presence.onJoin(() => {
      throw new Error('listener bug');
    });

    presence.syncState(state({ alice: [meta('a1')], bob: [meta('b1')] }));

    expect(members()).toEqual(['alice:a1', 'bob:b1']);
    expect(listenerErrors).toHaveLength(2);
  });

  it('can stop listening', () => {
    const seen: string[] = [];
    const off = presence.onJoin(({ clientId }) => seen.push(clientId));
    presence.syncState(state({ alice: [meta('a1')] }));
    off();
    presence.syncDiff({ joins: state({ bob: [meta('b1')] }), updates: none, leaves: none });
    expect(seen).toEqual(['alice']);
  });

  describe('statuses', () => {
    let changes: string[];

    beforeEach(() => {
      changes = [];
      presence.onStatus(({ clientId, connectionId, from, to, reason, meta }) => changes.push(`${clientId}/${connectionId} ${from}→${to} (${reason}) ${meta.status}`));
      presence.syncState(state({ alice: [meta('a1', { status: 'online' }), meta('a2', { status: 'busy' })], bob: [meta('b1', { status: 'online' })] }));
      log = [];
    });

    it('tells each status change of a diff after the meta it updates, with from, to and reason', () => {
      presence.syncDiff({
        joins: none,
        leaves: none,
        updates: state({ alice: [meta('a1', { status: 'away' })] }),
        statuses: { a1: { clientId: 'alice', from: 'online', to: 'away', reason: 'timeout' } },
      });

      expect(log).toEqual(['update alice/a1 online→away']);
      expect(changes).toEqual(['alice/a1 online→away (timeout) away']);
    });

    it('reads the status of a connection, or of a client\'s last connection to join', () => {
      expect(presence.statusOf('alice', 'a1')).toBe('online');
      expect(presence.statusOf('alice')).toBe('busy');
      expect(presence.statusOf('carol')).toBeUndefined();
    });

    it('ignores a status change of a connection it does not hold, or one that is malformed', () => {
      presence.syncDiff({
        joins: none,
        leaves: none,
        updates: none,
        statuses: { z9: { clientId: 'zed', from: 'online', to: 'away', reason: 'timeout' }, b1: { clientId: 'bob' } as never },
      });

      expect(changes).toEqual([]);
    });

    it('sets this connection\'s status through the channel it belongs to', async () => {
      const sent: string[] = [];
      const bound = new ChannelPresence<Meta>(() => undefined, async (status) => {
        sent.push(status);
        return meta('a1', { status });
      });

      await expect(bound.setStatus('busy')).resolves.toEqual(meta('a1', { status: 'busy' }));
      expect(sent).toEqual(['busy']);
      await expect(presence.setStatus('busy')).rejects.toThrow(TypeError);
    });
  });
});
