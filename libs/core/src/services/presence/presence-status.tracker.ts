import type { PresenceStatusReason } from '@nest-realtime/protocol';
import type { PresenceStatusTimeout, ResolvedPresenceStatuses } from '../channel/channel.options';
import { Deadline, StatusDeadlines } from './presence-status.deadlines';

/** What the tracker reads of a connection: when it last sent a frame other than a heartbeat. */
export interface ActiveConnection {
  readonly id: string;
  readonly lastActiveAt: number;
  readonly isClosing: boolean;
}

/** A status the tracker changed by itself: a timeout ran out, or a moved member was active again. */
export interface StatusMove {
  channel: string;
  connectionId: string;
  from: string;
  to: string;
  reason: Extract<PresenceStatusReason, 'timeout' | 'activity'>;
}

/** One member of a channel with timeouts, on the node that holds its connection. */
interface TrackedStatus extends Deadline {
  readonly connection: ActiveConnection;
  readonly channel: string;
  readonly rules: ResolvedPresenceStatuses;
  status: string;
  /** When its status was last set on purpose (join, client, server, activity): inactivity counts from there at the earliest. */
  setAt: number;
  /** A timeout put it in `status`: its next activity brings it back to `initial`. */
  moved: boolean;
}

/** The timeout that applies first to a member in `status`: the shortest of those naming it in `from`. */
export function timeoutFrom(rules: ResolvedPresenceStatuses, status: string): PresenceStatusTimeout | undefined {
  let first: PresenceStatusTimeout | undefined;
  for (const timeout of rules.timeouts) {
    if (timeout.from.includes(status) && (first === undefined || timeout.after < first.after)) first = timeout;
  }
  return first;
}

/**
 * Deadlines are rounded up to 1% of their timeout, so members of one channel share timer firings: a
 * member goes `away` at most 1% late, and a node with many members wakes up at most 100 times a timeout.
 */
function roundUp(time: number, after: number): number {
  const grain = Math.max(1, Math.floor(after / 100));
  return Math.ceil(time / grain) * grain;
}

/**
 * The statuses of the members of channels with timeouts whose connections this node holds, and when each
 * may time out next. A frame only writes the connection's `lastActiveAt`; a deadline is checked when it
 * comes (the member moves, or its deadline moves on to its last activity plus the timeout), in one heap
 * under one timer. Only members a timeout moved are looked up on activity (none: one size check a frame).
 */
export class PresenceStatusTracker {
  /** channel → connectionId → its status. */
  private readonly members = new Map<string, Map<string, TrackedStatus>>();
  private readonly deadlines = new StatusDeadlines<TrackedStatus>();
  /** connectionId → its members a timeout moved (one by itself, as most connections have). */
  private readonly movedOf = new Map<string, TrackedStatus | TrackedStatus[]>();
  private timer: NodeJS.Timeout | undefined = undefined;
  private timerDue = Infinity;

  constructor(private readonly moved: (move: StatusMove) => void) {}

  /** Members followed. */
  get size(): number {
    let size = 0;
    for (const members of this.members.values()) size += members.size;
    return size;
  }

  /** Members waiting for a deadline. */
  get scheduled(): number {
    return this.deadlines.size;
  }

  statusOf(channel: string, connectionId: string): string | undefined {
    return this.members.get(channel)?.get(connectionId)?.status;
  }

  /**
   * Follows a member of a channel with timeouts, in `status` from now; a member followed already is set
   * to it. A status a timeout gives and a client may not choose counts as a timeout's (a resumed `away`).
   */
  track(connection: ActiveConnection, channel: string, rules: ResolvedPresenceStatuses, status: string): void {
    let members = this.members.get(channel);
    const existing = members?.get(connection.id);
    if (existing) return this.set(channel, connection.id, status);
    if (!members) this.members.set(channel, (members = new Map()));
    const now = Date.now();
    // Every field set here, in one order: one hidden class for all of them.
    const record: TrackedStatus = { connection, channel, rules, status, setAt: now, moved: false, due: Infinity, index: -1 };
    members.set(connection.id, record);
    if (!rules.settable.includes(status) && rules.timeouts.some((timeout) => timeout.to === status)) this.markMoved(record);
    this.reschedule(record, now);
    this.arm();
  }

  /** The status was set on purpose (client, server): a timeout counts again from now. */
  set(channel: string, connectionId: string, status: string): void {
    const record = this.members.get(channel)?.get(connectionId);
    if (!record) return;
    if (record.moved) this.unmarkMoved(record);
    record.status = status;
    record.setAt = Date.now();
    this.reschedule(record, record.setAt);
    this.arm();
  }

  untrack(channel: string, connectionId: string): void {
    const members = this.members.get(channel);
    const record = members?.get(connectionId);
    if (!members || !record) return;
    members.delete(connectionId);
    if (members.size === 0) this.members.delete(channel);
    if (record.moved) this.unmarkMoved(record);
    this.deadlines.remove(record);
    this.arm();
  }

  /** A frame other than a heartbeat came from the connection: its members a timeout moved go back to `initial`. */
  activity(connection: ActiveConnection): void {
    if (this.movedOf.size === 0) return;
    const moved = this.movedOf.get(connection.id);
    if (moved === undefined) return;
    this.movedOf.delete(connection.id);
    const now = Date.now();
    for (const record of Array.isArray(moved) ? moved : [moved]) {
      const from = record.status;
      record.moved = false;
      record.status = record.rules.initial;
      record.setAt = now;
      this.reschedule(record, now);
      this.moved({ channel: record.channel, connectionId: connection.id, from, to: record.status, reason: 'activity' });
    }
    this.arm();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.timerDue = Infinity;
    this.deadlines.clear();
    this.members.clear();
    this.movedOf.clear();
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    this.timerDue = Infinity;
    const now = Date.now();
    for (let record = this.deadlines.popDue(now); record; record = this.deadlines.popDue(now)) this.check(record, now);
    this.arm();
  };

  /** A member's deadline came: it moves if it stayed inactive for the timeout, or waits for its new deadline. */
  private check(record: TrackedStatus, now: number): void {
    // A closing connection's leave is on its way.
    if (record.connection.isClosing) return;
    const idleSince = Math.max(record.connection.lastActiveAt, record.setAt);
    const from = record.status;
    let to = from;
    // Timeouts may chain (online → away → offline): a late check goes as far as the idle time reaches.
    for (let hops = 0, timeout = timeoutFrom(record.rules, to); timeout && now - idleSince >= timeout.after; timeout = timeoutFrom(record.rules, to)) {
      to = timeout.to;
      if (++hops === record.rules.statuses.length) break;
    }
    if (to !== from) {
      record.status = to;
      if (!record.moved) this.markMoved(record);
    }
    this.reschedule(record, idleSince);
    if (to !== from) this.moved({ channel: record.channel, connectionId: record.connection.id, from, to, reason: 'timeout' });
  }

  private reschedule(record: TrackedStatus, idleSince: number): void {
    const timeout = timeoutFrom(record.rules, record.status);
    if (!timeout) return this.deadlines.remove(record);
    record.due = roundUp(idleSince + timeout.after, timeout.after);
    this.deadlines.schedule(record);
  }

  /** One timer, for the earliest deadline; one that would fire early is kept (it re-arms when it fires). */
  private arm(): void {
    const first = this.deadlines.peek();
    if (!first) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.timerDue = Infinity;
      return;
    }
    if (this.timer !== undefined && this.timerDue <= first.due) return;
    clearTimeout(this.timer);
    this.timerDue = first.due;
    this.timer = setTimeout(this.fire, Math.max(0, first.due - Date.now()));
    this.timer.unref();
  }

  private markMoved(record: TrackedStatus): void {
    record.moved = true;
    const id = record.connection.id;
    const held = this.movedOf.get(id);
    if (held === undefined) this.movedOf.set(id, record);
    else if (Array.isArray(held)) held.push(record);
    else this.movedOf.set(id, [held, record]);
  }

  private unmarkMoved(record: TrackedStatus): void {
    record.moved = false;
    const id = record.connection.id;
    const held = this.movedOf.get(id);
    if (held === record) this.movedOf.delete(id);
    else if (Array.isArray(held)) {
      const rest = held.filter((other) => other !== record);
      if (rest.length === 1) this.movedOf.set(id, rest[0]);
      else this.movedOf.set(id, rest);
    }
  }
}
