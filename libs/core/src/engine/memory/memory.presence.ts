import type { PresenceMeta, PresenceState } from '@nest-realtime/protocol';
import { storedMeta } from '../../services/presence/stored-meta';
import type { PresenceStore, PresenceWrite, VersionedPresenceState } from '../stores';
import type { ChannelRecord, ClientPresence, MemoryState } from './memory.state';

/** The metas of a clientId's presence, in join order. */
function metasOf(presence: ClientPresence): Iterable<PresenceMeta> {
  return presence instanceof Map ? presence.values() : [presence];
}

function presenceCount(presence: ClientPresence | undefined): number {
  return presence === undefined ? 0 : presence instanceof Map ? presence.size : 1;
}

function presenceOf(presence: ClientPresence | undefined, connectionId: string): PresenceMeta | undefined {
  if (presence === undefined) return undefined;
  if (presence instanceof Map) return presence.get(connectionId);
  return presence.connectionId === connectionId ? presence : undefined;
}

/** This node's presence, kept in each channel's record beside its members. */
export class MemoryPresence implements PresenceStore {
  constructor(private readonly shared: MemoryState) {}

  async set(channel: string, clientId: string, connectionId: string, meta: Record<string, unknown>): Promise<PresenceWrite> {
    const record = this.shared.channel(channel);
    const presence = record.presence.get(clientId);
    const countBefore = presenceCount(presence);
    const onlineAt = (presenceOf(presence, connectionId)?.onlineAt as number | undefined) ?? Date.now();
    const stored = storedMeta(meta, connectionId, onlineAt);
    let countAfter = 1;
    if (presence === undefined || (!(presence instanceof Map) && presence.connectionId === connectionId)) {
      record.presence.set(clientId, stored);
    } else if (presence instanceof Map) {
      presence.set(connectionId, stored);
      countAfter = presence.size;
    } else {
      record.presence.set(clientId, new Map([[presence.connectionId, presence], [connectionId, stored]]));
      countAfter = 2;
    }
    return { clientId, connectionId, meta: stored, countBefore, countAfter, version: ++record.presenceVersion };
  }

  async remove(channel: string, connectionId: string): Promise<PresenceWrite | undefined> {
    const record = this.shared.channels.get(channel);
    if (!record) return undefined;
    const clientId = this.owner(record, connectionId);
    const presence = clientId === undefined ? undefined : record.presence.get(clientId);
    const meta = presenceOf(presence, connectionId);
    if (clientId === undefined || presence === undefined || !meta) return undefined;
    const countBefore = presenceCount(presence);
    if (presence instanceof Map) {
      presence.delete(connectionId);
      // Back to the meta itself once it is the only one.
      if (presence.size === 1) record.presence.set(clientId, presence.values().next().value!);
    } else {
      record.presence.delete(clientId);
    }
    if (record.members.size === 0 && record.presence.size === 0) record.emptySince = Date.now();
    return { clientId, connectionId, meta, countBefore, countAfter: countBefore - 1, version: ++record.presenceVersion };
  }

  async meta(channel: string, connectionId: string): Promise<{ clientId: string; meta: PresenceMeta } | undefined> {
    const record = this.shared.channels.get(channel);
    const clientId = record && this.owner(record, connectionId);
    const meta = clientId === undefined ? undefined : presenceOf(record?.presence.get(clientId), connectionId);
    return clientId !== undefined && meta ? { clientId, meta } : undefined;
  }

  async state(channel: string): Promise<PresenceState> {
    const state: PresenceState = {};
    for (const [clientId, presence] of this.shared.channels.get(channel)?.presence ?? []) {
      state[clientId] = { metas: presence instanceof Map ? [...presence.values()] : [presence] };
    }
    return state;
  }

  async versionedState(channel: string): Promise<VersionedPresenceState> {
    return { presences: await this.state(channel), version: this.shared.channels.get(channel)?.presenceVersion ?? 0 };
  }

  async orphans(): Promise<Array<{ channel: string; connectionId: string }>> {
    const orphans: Array<{ channel: string; connectionId: string }> = [];
    for (const [channel, record] of this.shared.channels) {
      for (const presence of record.presence.values()) {
        for (const meta of metasOf(presence)) {
          const connectionId = meta.connectionId;
          if (!record.members.has(connectionId)) orphans.push({ channel, connectionId });
        }
      }
    }
    return orphans;
  }

  /** Every presence entry of this node, for an engine that mirrors them into a shared store. */
  entries(): Array<{ channel: string; clientId: string; connectionId: string; meta: PresenceMeta }> {
    const entries: Array<{ channel: string; clientId: string; connectionId: string; meta: PresenceMeta }> = [];
    for (const [channel, record] of this.shared.channels) {
      for (const [clientId, presence] of record.presence) {
        for (const meta of metasOf(presence)) entries.push({ channel, clientId, connectionId: meta.connectionId, meta });
      }
    }
    return entries;
  }

  /**
   * The clientId a connection's presence in a channel is under: its connection's, found through the
   * node, for a connection of this node (every tracked one, but in a test); otherwise looked for.
   */
  private owner(record: ChannelRecord, connectionId: string): string | undefined {
    const clientId = this.shared.node?.get(connectionId)?.clientId;
    if (clientId !== undefined && presenceOf(record.presence.get(clientId), connectionId)) return clientId;
    for (const [owner, presence] of record.presence) {
      if (owner !== clientId && presenceOf(presence, connectionId)) return owner;
    }
    return undefined;
  }
}
