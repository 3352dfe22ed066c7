import type { ResolvedPresenceStatuses } from '../channel/channel.options';
import { PresenceStatusTracker, StatusMove, timeoutFrom } from './presence-status.tracker';

const T0 = Date.UTC(2025, 0, 1);
const RULES: ResolvedPresenceStatuses = {
  statuses: ['online', 'away', 'busy', 'offline'],
  initial: 'online',
  settable: ['online', 'busy'],
  timeouts: [
    { from: ['online'], to: 'away', after: 1000 },
    { from: ['away'], to: 'offline', after: 5000 },
  ],
};

/** What the tracker reads of a connection; `active()` is a frame other than a heartbeat. */
class Connection {
  lastActiveAt = Date.now();
  isClosing = false;
  constructor(readonly id: string) {}
  active(): void {
    this.lastActiveAt = Date.now();
  }
}

describe('PresenceStatusTracker', () => {
  let moves: string[];
  let tracker: PresenceStatusTracker;

  const describeMove = ({ channel, connectionId, from, to, reason }: StatusMove) => `${connectionId}@${channel} ${from}→${to} (${reason})`;

  beforeEach(() => {
    jest.useFakeTimers({ now: T0 });
    moves = [];
    tracker = new PresenceStatusTracker((move) => moves.push(describeMove(move)));
  });

  afterEach(() => {
    tracker.stop();
    jest.useRealTimers();
  });

  it('moves a member whose connection stays silent for the timeout', () => {
    tracker.track(new Connection('c1'), 'room:1', RULES, 'online');

    jest.advanceTimersByTime(999);
    expect(moves).toEqual([]);
    jest.advanceTimersByTime(1);

    expect(moves).toEqual(['c1@room:1 online→away (timeout)']);
    expect(tracker.statusOf('room:1', 'c1')).toBe('away');
  });

  it('counts the timeout from the connection\'s last activity', () => {
    const connection = new Connection('c1');
    tracker.track(connection, 'room:1', RULES, 'online');

    jest.advanceTimersByTime(600);
    connection.active();
    jest.advanceTimersByTime(400);
    expect(moves).toEqual([]);
    jest.advanceTimersByTime(600);

    expect(moves).toEqual(['c1@room:1 online→away (timeout)']);
  });

  it('brings a moved member back to the initial status on its next activity, and counts again from there', () => {
    const connection = new Connection('c1');
    tracker.track(connection, 'room:1', RULES, 'online');
    jest.advanceTimersByTime(1000);

    jest.advanceTimersByTime(300);
    connection.active();
    tracker.activity(connection);
    expect(tracker.statusOf('room:1', 'c1')).toBe('online');
    jest.advanceTimersByTime(999);
    expect(moves).toEqual(['c1@room:1 online→away (timeout)', 'c1@room:1 away→online (activity)']);
    jest.advanceTimersByTime(1);

    expect(moves).toEqual(['c1@room:1 online→away (timeout)', 'c1@room:1 away→online (activity)', 'c1@room:1 online→away (timeout)']);
  });

  it('follows a chain of timeouts, each counted from the last activity', () => {
    tracker.track(new Connection('c1'), 'room:1', RULES, 'online');

    jest.advanceTimersByTime(1000);
    jest.advanceTimersByTime(3999);
    expect(moves).toEqual(['c1@room:1 online→away (timeout)']);
    jest.advanceTimersByTime(1);

    expect(moves).toEqual(['c1@room:1 online→away (timeout)', 'c1@room:1 away→offline (timeout)']);
    expect(tracker.scheduled).toBe(0);
  });

  it('never moves a member in a status no timeout names, such as busy', () => {
    const connection = new Connection('c1');
    tracker.track(connection, 'room:1', RULES, 'busy');

    jest.advanceTimersByTime(60_000);
    tracker.activity(connection);

    expect(moves).toEqual([]);
    expect(tracker.scheduled).toBe(0);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('counts the timeout again from a status set on purpose', () => {
    tracker.track(new Connection('c1'), 'room:1', RULES, 'busy');
    jest.advanceTimersByTime(5000);

    tracker.set('room:1', 'c1', 'online');
    jest.advanceTimersByTime(999);
    expect(moves).toEqual([]);
    jest.advanceTimersByTime(1);

    expect(moves).toEqual(['c1@room:1 online→away (timeout)']);
  });

  it('keeps a connection\'s status per channel', () => {
    const connection = new Connection('c1');
    tracker.track(connection, 'room:1', RULES, 'busy');
    tracker.track(connection, 'room:2', RULES, 'online');

    jest.advanceTimersByTime(1000);
    expect(moves).toEqual(['c1@room:2 online→away (timeout)']);
    tracker.activity(connection);

    expect(moves).toEqual(['c1@room:2 online→away (timeout)', 'c1@room:2 away→online (activity)']);
    expect(tracker.statusOf('room:1', 'c1')).toBe('busy');
  });

  it('brings back only the active connection\'s members', () => {
    const [c1, c2] = [new Connection('c1'), new Connection('c2')];
    tracker.track(c1, 'room:1', RULES, 'online');
    tracker.track(c2, 'room:1', RULES, 'online');
    jest.advanceTimersByTime(1000);
    moves = [];

    tracker.activity(c2);

    expect(moves).toEqual(['c2@room:1 away→online (activity)']);
    expect(tracker.statusOf('room:1', 'c1')).toBe('away');
  });

  it('counts a status a timeout gives, and clients cannot set, as a timeout\'s (a resumed away)', () => {
    const connection = new Connection('c1');
    tracker.track(connection, 'room:1', RULES, 'away');

    tracker.activity(connection);

    expect(moves).toEqual(['c1@room:1 away→online (activity)']);
  });

  it('leaves the member of a closing connection alone', () => {
    const connection = new Connection('c1');
    tracker.track(connection, 'room:1', RULES, 'online');
    connection.isClosing = true;

    jest.advanceTimersByTime(10_000);

    expect(moves).toEqual([]);
  });

  it('uses one timer, however many members it follows', () => {
    for (let i = 0; i < 1000; i++) tracker.track(new Connection(`c${i}`), `room:${i % 10}`, RULES, 'online');

    expect(jest.getTimerCount()).toBe(1);
    expect(tracker.scheduled).toBe(1000);
    jest.advanceTimersByTime(1000);
    expect(moves).toHaveLength(1000);
    expect(jest.getTimerCount()).toBe(1);
  });

  it('forgets an untracked member: no deadline, no timer, no entry', () => {
    const connection = new Connection('c1');
    tracker.track(connection, 'room:1', RULES, 'online');
    tracker.track(connection, 'room:2', RULES, 'online');
    jest.advanceTimersByTime(1000);

    tracker.untrack('room:1', 'c1');
    tracker.untrack('room:2', 'c1');
    tracker.activity(connection);

    expect(tracker.size).toBe(0);
    expect(tracker.scheduled).toBe(0);
    expect(jest.getTimerCount()).toBe(0);
    expect(moves).toEqual(['c1@room:1 online→away (timeout)', 'c1@room:2 online→away (timeout)']);
  });

  it('rounds deadlines up to 1% of the timeout, so members of a channel share timer firings', () => {
    const fired: number[] = [];
    tracker = new PresenceStatusTracker(() => fired.push(Date.now()));
    const statuses = { ...RULES, timeouts: [{ from: ['online'], to: 'away', after: 100_000 }] };
    tracker.track(new Connection('c1'), 'room:1', statuses, 'online');
    jest.advanceTimersByTime(7);
    tracker.track(new Connection('c2'), 'room:1', statuses, 'online');

    jest.advanceTimersByTime(101_000);

    expect(fired).toEqual([T0 + 100_000, T0 + 101_000]);
  });

  describe('timeoutFrom', () => {
    it('picks the shortest timeout naming the status in from', () => {
      const statuses = { ...RULES, timeouts: [{ from: ['online'], to: 'offline', after: 9000 }, ...RULES.timeouts] };

      expect(timeoutFrom(statuses, 'online')).toEqual({ from: ['online'], to: 'away', after: 1000 });
      expect(timeoutFrom(statuses, 'busy')).toBeUndefined();
    });
  });
});
