import type { PresenceWrite } from '../../engine/realtime-engine.interface';
import type { PresenceStatusReason } from '@nest-realtime/protocol';
import type { VersionedPresenceDiff } from './presence-frames';
import { PresenceDiffBatcher } from './presence-diff.batcher';

function write(connectionId: string, clientId: string, countBefore: number, countAfter: number, extra: Record<string, unknown> = {}): PresenceWrite {
  return { clientId, connectionId, countBefore, countAfter, meta: { ...extra, connectionId, onlineAt: 1 } };
}

const meta = (connectionId: string, extra: Record<string, unknown> = {}) => ({ ...extra, connectionId, onlineAt: 1 });

describe('PresenceDiffBatcher', () => {
  let diffs: VersionedPresenceDiff[];

  beforeEach(() => {
    jest.useFakeTimers();
    diffs = [];
  });

  afterEach(() => jest.useRealTimers());

  const batcher = (windowMs = 50) => new PresenceDiffBatcher(windowMs, (diff) => diffs.push(diff));

  it('sends each change at once when the window is 0', () => {
    const b = batcher(0);
    b.push('room', 'join', write('c1', 'alice', 0, 1));
    b.push('room', 'update', write('c1', 'alice', 1, 1, { typing: true }));

    expect(diffs).toEqual([
      { channel: 'room', joins: { alice: { metas: [meta('c1')], first: true } }, leaves: {}, updates: {} },
      { channel: 'room', joins: {}, leaves: {}, updates: { alice: { metas: [meta('c1', { typing: true })] } } },
    ]);
    expect(b.pendingChannels).toBe(0);
  });

  it('merges the joins, leaves and updates of a window into one diff per channel', () => {
    const b = batcher(50);
    b.push('room', 'join', write('c1', 'alice', 0, 1));
    b.push('room', 'join', write('c2', 'bob', 0, 1));
    b.push('room', 'leave', write('c3', 'carol', 1, 0));
    b.push('room', 'update', write('c4', 'dave', 1, 1, { away: true }));
    b.push('lobby', 'join', write('c1', 'alice', 0, 1));

    jest.advanceTimersByTime(49);
    expect(diffs).toEqual([]);
    expect(b.pendingChannels).toBe(2);

    jest.advanceTimersByTime(1);
    expect(diffs).toEqual([
      {
        channel: 'room',
        joins: { alice: { metas: [meta('c1')], first: true }, bob: { metas: [meta('c2')], first: true } },
        leaves: { carol: { metas: [meta('c3')], last: true } },
        updates: { dave: { metas: [meta('c4', { away: true })] } },
      },
      { channel: 'lobby', joins: { alice: { metas: [meta('c1')], first: true } }, leaves: {}, updates: {} },
    ]);
    expect(b.pendingChannels).toBe(0);
  });

  it('starts the window at the first change, not the last', () => {
    const b = batcher(50);
    b.push('room', 'join', write('c1', 'alice', 0, 1));
    jest.advanceTimersByTime(40);
    b.push('room', 'join', write('c2', 'bob', 0, 1));
    jest.advanceTimersByTime(10);

    expect(diffs).toHaveLength(1);
    expect(Object.keys(diffs[0].joins)).toEqual(['alice', 'bob']);
  });

  it('cancels a join and a leave of one connection within a window: nothing is sent', () => {
    const b = batcher(50);
    b.push('room', 'join', write('c1', 'alice', 0, 1));
    b.push('room', 'leave', write('c1', 'alice', 1, 0));
    jest.advanceTimersByTime(50);

    expect(diffs).toEqual([]);
    expect(b.pendingChannels).toBe(0);
  });

  it('turns a leave followed by a join of one connection into an update with the new meta', () => {
    const b = batcher(50);
    b.push('room', 'leave', write('c1', 'alice', 1, 0, { v: 1 }));
    b.push('room', 'join', write('c1', 'alice', 0, 1, { v: 2 }));
    jest.advanceTimersByTime(50);

    expect(diffs).toEqual([{ channel: 'room', joins: {}, leaves: {}, updates: { alice: { metas: [meta('c1', { v: 2 })] } } }]);
  });

  it('keeps a join followed by updates a join, with the last meta', () => {
    const b = batcher(50);
    b.push('room', 'join', write('c1', 'alice', 0, 1, { v: 1 }));
    b.push('room', 'update', write('c1', 'alice', 1, 1, { v: 2 }));
    b.push('room', 'update', write('c1', 'alice', 1, 1, { v: 3 }));
    jest.advanceTimersByTime(50);

    expect(diffs).toEqual([{ channel: 'room', joins: { alice: { metas: [meta('c1', { v: 3 })], first: true } }, leaves: {}, updates: {} }]);
  });

  it('makes an update followed by a leave a leave', () => {
    const b = batcher(50);
    b.push('room', 'update', write('c1', 'alice', 1, 1, { v: 2 }));
    b.push('room', 'leave', write('c1', 'alice', 1, 0, { v: 2 }));
    jest.advanceTimersByTime(50);

    expect(diffs).toEqual([{ channel: 'room', joins: {}, leaves: { alice: { metas: [meta('c1', { v: 2 })], last: true } }, updates: {} }]);
  });

  describe('first and last marks for a clientId with several connections', () => {
    it('does not mark the join of a second tab of a client already present', () => {
      const b = batcher(0);
      b.push('room', 'join', write('tab1', 'alice', 0, 1));
      b.push('room', 'join', write('tab2', 'alice', 1, 2));

      expect(diffs[0].joins).toEqual({ alice: { metas: [meta('tab1')], first: true } });
      expect(diffs[1].joins).toEqual({ alice: { metas: [meta('tab2')] } });
    });

    it('does not mark the leave of the first tab while another stays, and marks the last tab leaving', () => {
      const b = batcher(0);
      b.push('room', 'leave', write('tab1', 'alice', 2, 1));
      b.push('room', 'leave', write('tab2', 'alice', 1, 0));

      expect(diffs[0].leaves).toEqual({ alice: { metas: [meta('tab1')] } });
      expect(diffs[1].leaves).toEqual({ alice: { metas: [meta('tab2')], last: true } });
    });

    it('marks both tabs joining in one window as the first join of the client', () => {
      const b = batcher(50);
      b.push('room', 'join', write('tab1', 'alice', 0, 1));
      b.push('room', 'join', write('tab2', 'alice', 1, 2));
      jest.advanceTimersByTime(50);

      expect(diffs).toEqual([{ channel: 'room', joins: { alice: { metas: [meta('tab1'), meta('tab2')], first: true } }, leaves: {}, updates: {} }]);
    });

    it('marks both tabs leaving in one window as the last leave of the client', () => {
      const b = batcher(50);
      b.push('room', 'leave', write('tab1', 'alice', 2, 1));
      b.push('room', 'leave', write('tab2', 'alice', 1, 0));
      jest.advanceTimersByTime(50);

      expect(diffs).toEqual([{ channel: 'room', joins: {}, leaves: { alice: { metas: [meta('tab1'), meta('tab2')], last: true } }, updates: {} }]);
    });

    it('marks neither when one tab replaces another within a window', () => {
      const b = batcher(50);
      b.push('room', 'leave', write('tab1', 'alice', 1, 0));
      b.push('room', 'join', write('tab2', 'alice', 0, 1));
      jest.advanceTimersByTime(50);

      expect(diffs).toEqual([{ channel: 'room', joins: { alice: { metas: [meta('tab2')] } }, leaves: { alice: { metas: [meta('tab1')] } }, updates: {} }]);
    });

    it('marks the remaining tab as first when a tab joins and leaves while another joins', () => {
      const b = batcher(50);
      b.push('room', 'join', write('tab1', 'alice', 0, 1));
      b.push('room', 'join', write('tab2', 'alice', 1, 2));
      b.push('room', 'leave', write('tab1', 'alice', 2, 1));
      jest.advanceTimersByTime(50);

      expect(diffs).toEqual([{ channel: 'room', joins: { alice: { metas: [meta('tab2')], first: true } }, leaves: {}, updates: {} }]);
    });
  });

  it('flushes a channel on demand and forgets its timer', () => {
    const b = batcher(50);
    b.push('room', 'join', write('c1', 'alice', 0, 1));
    b.flush('room');
    jest.advanceTimersByTime(100);

    expect(diffs).toHaveLength(1);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('flushes every channel at once with flushAll', () => {
    const b = batcher(50);
    b.push('a', 'join', write('c1', 'alice', 0, 1));
    b.push('b', 'join', write('c1', 'alice', 0, 1));
    b.flushAll();

    expect(diffs.map((diff) => diff.channel)).toEqual(['a', 'b']);
    expect(b.pendingChannels).toBe(0);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('does nothing when flushing a channel with nothing pending', () => {
    batcher(50).flush('room');

    expect(diffs).toEqual([]);
  });

  describe('status changes', () => {
    const change = (from: string, to: string, reason: PresenceStatusReason = 'timeout') => ({ clientId: 'alice', from, to, reason });

    it('puts a status change in statuses, by connectionId, beside the meta in updates', () => {
      const b = batcher(0);
      b.push('room', 'update', write('c1', 'alice', 1, 1, { status: 'away' }), change('online', 'away'));

      expect(diffs).toEqual([
        {
          channel: 'room',
          joins: {},
          leaves: {},
          updates: { alice: { metas: [meta('c1', { status: 'away' })] } },
          statuses: { c1: { clientId: 'alice', from: 'online', to: 'away', reason: 'timeout' } },
        },
      ]);
    });

    it('merges the changes of a window: from of the first, to and reason of the last', () => {
      const b = batcher(50);
      b.push('room', 'update', write('c1', 'alice', 1, 1, { status: 'away' }), change('online', 'away'));
      b.push('room', 'update', write('c1', 'alice', 1, 1, { status: 'away', typing: true }));
      b.push('room', 'update', write('c1', 'alice', 1, 1, { status: 'busy', typing: true }), change('away', 'busy', 'client'));
      jest.advanceTimersByTime(50);

      expect(diffs[0].statuses).toEqual({ c1: { clientId: 'alice', from: 'online', to: 'busy', reason: 'client' } });
      expect(diffs[0].updates).toEqual({ alice: { metas: [meta('c1', { status: 'busy', typing: true })] } });
    });

    it('drops a change that comes back where it was, keeping the update', () => {
      const b = batcher(50);
      b.push('room', 'update', write('c1', 'alice', 1, 1, { status: 'away' }), change('online', 'away'));
      b.push('room', 'update', write('c1', 'alice', 1, 1, { status: 'online' }), change('away', 'online', 'activity'));
      jest.advanceTimersByTime(50);

      expect(diffs[0]).not.toHaveProperty('statuses');
      expect(diffs[0].updates).toEqual({ alice: { metas: [meta('c1', { status: 'online' })] } });
    });

    it('leaves out the changes of a connection that joined or left in the window: its meta says its status', () => {
      const b = batcher(50);
      b.push('room', 'join', write('c1', 'alice', 0, 1, { status: 'online' }));
      b.push('room', 'update', write('c1', 'alice', 1, 1, { status: 'busy' }), change('online', 'busy', 'client'));
      b.push('room', 'update', write('c2', 'alice', 2, 2, { status: 'away' }), change('online', 'away'));
      b.push('room', 'leave', write('c2', 'alice', 2, 1, { status: 'away' }));
      jest.advanceTimersByTime(50);

      expect(diffs[0]).not.toHaveProperty('statuses');
      expect(diffs[0].joins).toEqual({ alice: { metas: [meta('c1', { status: 'busy' })], first: true } });
    });
  });
  describe('with presence versions', () => {
    const versioned = (version: number, ...args: Parameters<typeof write>): PresenceWrite => ({ ...write(...args), version });

    it("carries each connection's first and last version in the batch", () => {
      const b = batcher(50);
      b.push('room', 'join', versioned(3, 'c1', 'alice', 0, 1, { v: 1 }));
      b.push('room', 'join', versioned(4, 'c2', 'bob', 0, 1));
      b.push('room', 'update', versioned(6, 'c1', 'alice', 1, 1, { v: 2 }));
      jest.advanceTimersByTime(50);

      expect(diffs.map((diff) => diff.versions)).toEqual([{ c1: [3, 6], c2: [4, 4] }]);
    });

    it('sends a join and a leave of one connection in diffs of their own instead of cancelling them', () => {
      const b = batcher(50);
      b.push('room', 'join', versioned(1, 'c1', 'alice', 0, 1));
      b.push('room', 'leave', versioned(2, 'c1', 'alice', 1, 0));
      b.push('room', 'join', versioned(3, 'c1', 'alice', 0, 1));
      jest.advanceTimersByTime(50);

      expect(diffs).toEqual([
        { channel: 'room', joins: { alice: { metas: [meta('c1')], first: true } }, leaves: {}, updates: {}, versions: { c1: [1, 1] } },
        { channel: 'room', joins: {}, leaves: { alice: { metas: [meta('c1')], last: true } }, updates: {}, versions: { c1: [2, 2] } },
        { channel: 'room', joins: { alice: { metas: [meta('c1')], first: true } }, leaves: {}, updates: {}, versions: { c1: [3, 3] } },
      ]);
    });
  });
});
