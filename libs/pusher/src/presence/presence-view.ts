import type { PresenceState } from '@nest-realtime/protocol';
import { infoOf, userOf } from './presence-members';

/** One core presence meta, as a Pusher member: the connection it stands for, its user and user_info. */
export interface PresenceMember {
  connectionId: string;
  user: string;
  info: unknown;
}

/** What Pusher's `subscription_succeeded` of a presence channel carries. */
export interface PusherPresenceData {
  presence: { ids: string[]; hash: Record<string, unknown>; count: number };
}

/** The members of a core presence state (or of a diff's joins, leaves, updates). */
export function membersOf(state: PresenceState | undefined): PresenceMember[] {
  const members: PresenceMember[] = [];
  if (!state || typeof state !== 'object') return members;
  for (const [clientId, entry] of Object.entries(state)) {
    for (const meta of entry?.metas ?? []) {
      if (typeof meta?.connectionId !== 'string') continue;
      members.push({ connectionId: meta.connectionId, user: userOf(clientId, meta), info: infoOf(meta) });
    }
  }
  return members;
}

/** A user whose first connection came in (`added`) or whose last went (`removed`). */
export interface UserChange {
  added: PresenceMember[];
  removed: string[];
}

/**
 * One Pusher connection's view of a presence channel: the core keeps one meta per connection, Pusher
 * counts users; a user is added with its first connection and removed with its last.
 */
export class PresenceView {
  private readonly userOfConnection = new Map<string, string>();
  private readonly users = new Map<string, { connections: number; info: unknown }>();

  constructor(members: readonly PresenceMember[] = []) {
    for (const member of members) this.add(member);
  }

  get size(): number {
    return this.users.size;
  }

  has(user: string): boolean {
    return this.users.has(user);
  }

  /** Applies a diff (joins before leaves, as a batch that holds both means a connection came and went): the users that came and went. */
  apply(joins: readonly PresenceMember[], leaves: readonly PresenceMember[], updates: readonly PresenceMember[] = []): UserChange {
    const before = new Map<string, boolean>();
    const touch = (user: string | undefined) => {
      if (user !== undefined && !before.has(user)) before.set(user, this.users.has(user));
    };
    for (const member of joins) {
      touch(member.user);
      touch(this.userOfConnection.get(member.connectionId));
      this.add(member);
    }
    for (const member of leaves) {
      touch(this.userOfConnection.get(member.connectionId));
      this.remove(member.connectionId);
    }
    for (const member of updates) {
      const held = this.users.get(member.user);
      if (held && this.userOfConnection.get(member.connectionId) === member.user) held.info = member.info;
    }
    const change: UserChange = { added: [], removed: [] };
    for (const [user, was] of before) {
      const is = this.users.get(user);
      if (!was && is) change.added.push({ connectionId: '', user, info: is.info });
      else if (was && !is) change.removed.push(user);
    }
    return change;
  }

  /** Becomes `members`: the users that came and went between the two. */
  replace(members: readonly PresenceMember[]): UserChange {
    const next = new PresenceView(members);
    const change: UserChange = { added: [], removed: [] };
    for (const [user, held] of next.users) if (!this.users.has(user)) change.added.push({ connectionId: '', user, info: held.info });
    for (const user of this.users.keys()) if (!next.users.has(user)) change.removed.push(user);
    this.userOfConnection.clear();
    this.users.clear();
    for (const member of members) this.add(member);
    return change;
  }

  /** `{presence: {ids, hash, count}}`. */
  data(): PusherPresenceData {
    const hash: Record<string, unknown> = {};
    for (const [user, held] of this.users) hash[user] = held.info;
    const ids = [...this.users.keys()];
    return { presence: { ids, hash, count: ids.length } };
  }

  private add({ connectionId, user, info }: PresenceMember): void {
    if (this.userOfConnection.get(connectionId) === user) return;
    this.remove(connectionId);
    this.userOfConnection.set(connectionId, user);
    const held = this.users.get(user);
    if (held) held.connections++;
    else this.users.set(user, { connections: 1, info });
  }

  private remove(connectionId: string): void {
    const user = this.userOfConnection.get(connectionId);
    if (user === undefined) return;
    this.userOfConnection.delete(connectionId);
    const held = this.users.get(user)!;
    if (--held.connections === 0) this.users.delete(user);
  }
}
