import type { LocalConnection } from '../engine-node';
import type { JoinOutcome, Membership, MembershipStore } from '../stores';
import { addId, idsOf, removeId, withId, withoutId } from './id-set';
import type { LocalMember, MemoryState } from './memory.state';

/** This node's memberships; a connection's channels are kept with its record while it has one. */
export class MemoryMemberships implements MembershipStore {
  constructor(private readonly shared: MemoryState) {}

  async join(channel: string, connection: LocalConnection, meta: Record<string, unknown>, limit = 0): Promise<JoinOutcome> {
    const record = this.shared.channel(channel);
    const existing = record.members.get(connection.id);
    if (existing) {
      existing.meta = meta;
      return { created: false };
    }
    if (limit > 0 && record.members.size >= limit) return { created: false, full: true };
    record.members.set(connection.id, { connection, meta, joinedAt: Date.now() });
    const stored = this.shared.connections.get(connection.id);
    if (stored) stored.channels = withId(stored.channels, channel);
    else addId(this.shared.channelsByConnection, connection.id, channel);
    return { created: true };
  }

  async leave(channel: string, connectionId: string): Promise<Membership | undefined> {
    const record = this.shared.channels.get(channel);
    const member = record?.members.get(connectionId);
    if (!record || !member) return undefined;
    record.members.delete(connectionId);
    if (record.members.size === 0) record.emptySince = Date.now();
    const stored = this.shared.connections.get(connectionId);
    if (stored) stored.channels = withoutId(stored.channels, channel);
    else removeId(this.shared.channelsByConnection, connectionId, channel);
    return toMembership(member);
  }

  async get(channel: string, connectionId: string): Promise<Membership | undefined> {
    const member = this.shared.channels.get(channel)?.members.get(connectionId);
    return member && toMembership(member);
  }

  async members(channel: string): Promise<Membership[]> {
    return [...(this.shared.channels.get(channel)?.members.values() ?? [])].map(toMembership);
  }

  async count(channel: string): Promise<number> {
    return this.shared.channels.get(channel)?.members.size ?? 0;
  }

  async channelsOf(connectionId: string): Promise<string[]> {
    return idsOf(this.shared.connections.get(connectionId)?.channels ?? this.shared.channelsByConnection.get(connectionId));
  }

  async emptyChannels(): Promise<Array<{ channel: string; since: number }>> {
    const empty: Array<{ channel: string; since: number }> = [];
    for (const [channel, record] of this.shared.channels) {
      if (record.members.size === 0 && record.presence.size === 0) empty.push({ channel, since: record.emptySince });
    }
    return empty;
  }

  async dropChannel(channel: string): Promise<boolean> {
    const record = this.shared.channels.get(channel);
    if (!record || record.members.size > 0 || record.presence.size > 0) return false;
    return this.shared.channels.delete(channel);
  }

  /** Every membership of this node, for an engine that mirrors them into a shared store. */
  entries(): Array<Membership & { channel: string }> {
    const entries: Array<Membership & { channel: string }> = [];
    for (const [channel, record] of this.shared.channels) {
      for (const member of record.members.values()) entries.push({ channel, ...toMembership(member) });
    }
    return entries;
  }
}

function toMembership({ connection, meta, joinedAt }: LocalMember): Membership {
  return { connectionId: connection.id, clientId: connection.clientId, meta, joinedAt };
}
