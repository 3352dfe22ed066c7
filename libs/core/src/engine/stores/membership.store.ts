import type { LocalConnection } from '../engine-node';

export interface Membership {
  connectionId: string;
  clientId: string;
  meta: Record<string, unknown>;
  joinedAt: number;
}

/** What a join did: added a member (`created`), updated one, or found the channel full. */
export type JoinOutcome = { created: boolean; full?: false } | { created: false; full: true };

/** The members of each channel, on every node, and the channels of each connection. */
export interface MembershipStore {
  /**
   * Adds or updates a membership; `created` is false when the connection was already a member. With a
   * `limit` above 0, a new member of a channel that holds that many already is refused (`full`), atomically.
   */
  join(channel: string, connection: LocalConnection, meta: Record<string, unknown>, limit?: number): Promise<JoinOutcome>;
  /** Removes a membership; resolves to the removed one, or undefined when there was none. */
  leave(channel: string, connectionId: string): Promise<Membership | undefined>;
  /** The membership of one connection in a channel; undefined when it is not a member. */
  get(channel: string, connectionId: string): Promise<Membership | undefined>;
  members(channel: string): Promise<Membership[]>;
  /** How many members the channel holds. */
  count(channel: string): Promise<number>;
  channelsOf(connectionId: string): Promise<string[]>;
  /** Channels that hold no member, with the time they became empty. */
  emptyChannels(): Promise<Array<{ channel: string; since: number }>>;
  /** Forgets a channel if it is still empty; resolves to whether it did. */
  dropChannel(channel: string): Promise<boolean>;
}
