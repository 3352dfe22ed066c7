import { randomUUID } from 'crypto';
import type { PresenceMeta, PresenceState } from '@nest-realtime/protocol';
import { storedMeta } from '../../services/presence/stored-meta';
import { MemoryHistory } from './memory-history';
import type {
  ConnectionRecord,
  DeadNode,
  EngineListener,
  EngineNode,
  HistoryOptions,
  HistoryRead,
  JoinOutcome,
  LocalConnection,
  Membership,
  PresenceWrite,
  PublishedMessage,
  RealtimeEngine,
  ResumeSession,
  StreamPosition,
} from '../realtime-engine.interface';

export interface MemoryEngineOptions {
  /** ms a channel's history offset and epoch are kept after its last publish. Default `86400000` (a day). */
  historyMetaTtl?: number;
}

/** This node's state, for an engine that mirrors it into a shared store (the Redis engine). */
export interface MemoryEngineEntries {
  connections: ConnectionRecord[];
  members: Array<Membership & { channel: string }>;
  presence: Array<{ channel: string; clientId: string; connectionId: string; meta: PresenceMeta }>;
}

/** A membership of this node: its connection stands for its connectionId and clientId (not kept twice). */
interface LocalMember {
  connection: LocalConnection;
  meta: Record<string, unknown>;
  joinedAt: number;
}

/**
 * A clientId's presence in a channel: its one meta while it has one connection there (most clientIds;
 * a Map each would cost ~200 bytes), a Map connectionId → meta, in join order, from the second on. A
 * stored meta carries its connectionId (see `storedMeta`).
 */
type ClientPresence = PresenceMeta | Map<string, PresenceMeta>;

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

/**
 * Ids kept per key (the connections of a clientId, the channels of a connection): the id itself while
 * there is one (most keys), a Set from the second on.
 */
type IdSet = string | Set<string>;

/** The ids with one more. */
function withId(held: IdSet | undefined, id: string): IdSet {
  if (held === undefined) return id;
  if (typeof held !== 'string') return held.add(id);
  return held === id ? held : new Set([held, id]);
}

/** The ids with one fewer; undefined when none is left. */
function withoutId(held: IdSet | undefined, id: string): IdSet | undefined {
  if (held === undefined || held === id) return undefined;
  if (typeof held === 'string') return held;
  held.delete(id);
  return held.size === 1 ? held.values().next().value! : held;
}

function addId(map: Map<string, IdSet>, key: string, id: string): void {
  const held = map.get(key);
  const ids = withId(held, id);
  if (ids !== held) map.set(key, ids);
}

/** Removes an id; returns whether any is left under the key. */
function removeId(map: Map<string, IdSet>, key: string, id: string): boolean {
  const held = map.get(key);
  const ids = withoutId(held, id);
  if (ids === undefined) map.delete(key);
  else if (ids !== held) map.set(key, ids);
  return ids !== undefined;
}

function idsOf(held: IdSet | undefined): string[] {
  return held === undefined ? [] : typeof held === 'string' ? [held] : [...held];
}

/**
 * A connection as this engine keeps it: its id is the key, its node this one; and the channels it is a
 * member of (kept here rather than in a map of their own: a map entry per connection).
 */
interface StoredConnection {
  clientId: string;
  state: string;
  connectedAt: number;
  channels: IdSet | undefined;
}

interface ChannelRecord {
  members: Map<string, LocalMember>;
  /**
   * clientId → its presence in the channel, in join order. Which clientId a connection's entry is under
   * is not kept (a map entry per member): see `presenceOwner`.
   */
  presence: Map<string, ClientPresence>;
  emptySince: number;
}

/** The default engine: everything in this process's memory, fan-out by a loop over the members. */
export class MemoryEngine implements RealtimeEngine {
  readonly nodeId = randomUUID();
  private node?: EngineNode;
  private readonly channels = new Map<string, ChannelRecord>();
  /** The channels of connections this engine holds no record of (not opened here, or closed already). */
  private readonly channelsByConnection = new Map<string, IdSet>();
  private readonly groups = new Map<string, Set<string>>();
  /** Records by connectionId, without what the key and this engine tell (see `recordOf`). */
  private readonly connections = new Map<string, StoredConnection>();
  private readonly connectionsByClient = new Map<string, IdSet>();
  private readonly history: MemoryHistory;
  /** Saved sessions, oldest first (they all live as long as the resume window, so oldest first is soonest to expire). */
  private readonly sessions = new Map<string, { session: ResumeSession; expiresAt: number }>();

  constructor(options: MemoryEngineOptions = {}) {
    this.history = new MemoryHistory(options.historyMetaTtl ?? 86_400_000);
  }

  bind(node: EngineNode): void {
    this.node = node;
  }

  /** A single node has nothing to tell. */
  watch(_listener: EngineListener): void {}

  async connectionOpened(record: Omit<ConnectionRecord, 'nodeId'>): Promise<void> {
    // Field by field, not spread: a spread copy got a hidden class of its own (~220 bytes) each.
    const { connectionId, clientId, state, connectedAt } = record;
    const channels = this.connections.get(connectionId)?.channels ?? this.channelsByConnection.get(connectionId);
    this.channelsByConnection.delete(connectionId);
    this.connections.set(connectionId, { clientId, state, connectedAt, channels });
    addId(this.connectionsByClient, clientId, connectionId);
  }

  async connectionState(connectionId: string, state: string): Promise<void> {
    const record = this.connections.get(connectionId);
    if (record) record.state = state;
  }

  async connectionClosed(connectionId: string, clientId: string): Promise<{ lastOfClient: boolean }> {
    const stored = this.connections.get(connectionId);
    // Memberships outlive the record (they are left on their own).
    if (stored?.channels !== undefined) this.channelsByConnection.set(connectionId, stored.channels);
    this.connections.delete(connectionId);
    return { lastOfClient: !removeId(this.connectionsByClient, clientId, connectionId) };
  }

  async connectionsOfClient(clientId: string): Promise<ConnectionRecord[]> {
    return idsOf(this.connectionsByClient.get(clientId)).map((id) => this.recordOf(id, this.connections.get(id)!));
  }

  async connectionCount(): Promise<number> {
    return this.connections.size;
  }

  private record(channel: string): ChannelRecord {
    let record = this.channels.get(channel);
    if (!record) {
      record = { members: new Map(), presence: new Map(), emptySince: Date.now() };
      this.channels.set(channel, record);
    }
    return record;
  }

  async join(
    channel: string,
    connection: LocalConnection,
    meta: Record<string, unknown>,
    limit = 0,
  ): Promise<JoinOutcome> {
    const record = this.record(channel);
    const existing = record.members.get(connection.id);
    if (existing) {
      existing.meta = meta;
      return { created: false };
    }
    if (limit > 0 && record.members.size >= limit) return { created: false, full: true };
    record.members.set(connection.id, { connection, meta, joinedAt: Date.now() });
    const stored = this.connections.get(connection.id);
    if (stored) stored.channels = withId(stored.channels, channel);
    else addId(this.channelsByConnection, connection.id, channel);
    return { created: true };
  }

  async leave(channel: string, connectionId: string): Promise<Membership | undefined> {
    const record = this.channels.get(channel);
    const member = record?.members.get(connectionId);
    if (!record || !member) return undefined;
    record.members.delete(connectionId);
    if (record.members.size === 0) record.emptySince = Date.now();
    const stored = this.connections.get(connectionId);
    if (stored) stored.channels = withoutId(stored.channels, channel);
    else removeId(this.channelsByConnection, connectionId, channel);
    return toMembership(member);
  }

  async membership(channel: string, connectionId: string): Promise<Membership | undefined> {
    const member = this.channels.get(channel)?.members.get(connectionId);
    return member && toMembership(member);
  }

  async members(channel: string): Promise<Membership[]> {
    return [...(this.channels.get(channel)?.members.values() ?? [])].map(toMembership);
  }

  async memberCount(channel: string): Promise<number> {
    return this.channels.get(channel)?.members.size ?? 0;
  }

  async channelsOf(connectionId: string): Promise<string[]> {
    return idsOf(this.connections.get(connectionId)?.channels ?? this.channelsByConnection.get(connectionId));
  }

  async emptyChannels(): Promise<Array<{ channel: string; since: number }>> {
    const empty: Array<{ channel: string; since: number }> = [];
    for (const [channel, record] of this.channels) {
      if (record.members.size === 0 && record.presence.size === 0) empty.push({ channel, since: record.emptySince });
    }
    return empty;
  }

  async dropChannel(channel: string): Promise<boolean> {
    const record = this.channels.get(channel);
    if (!record || record.members.size > 0 || record.presence.size > 0) return false;
    return this.channels.delete(channel);
  }

  async publish(channel: string, frame: Buffer): Promise<number> {
    const record = this.channels.get(channel);
    if (!record) return 0;
    let delivered = 0;
    for (const member of record.members.values()) {
      if (member.connection.send(frame)) delivered++;
    }
    return delivered;
  }

  async publishLocal(channel: string, frame: Buffer): Promise<number> {
    return this.publish(channel, frame);
  }

  async publishMessage(channel: string, body: string, history: HistoryOptions): Promise<PublishedMessage> {
    const { frame, position } = this.history.append(channel, body, history);
    return { delivered: await this.publish(channel, frame), position };
  }

  async position(channel: string): Promise<StreamPosition> {
    return this.history.position(channel);
  }

  async historySince(channel: string, since: StreamPosition, history: HistoryOptions): Promise<HistoryRead> {
    return this.history.since(channel, since, history);
  }

  async sendToConnection(connectionId: string, frame: Buffer): Promise<boolean> {
    const connection = this.node?.get(connectionId);
    return connection ? connection.send(frame) : false;
  }

  async saveSession(token: string, session: ResumeSession, ttl: number): Promise<void> {
    this.dropExpiredSessions(Date.now());
    this.sessions.set(token, { session, expiresAt: Date.now() + ttl });
  }

  async takeSession(token: string): Promise<ResumeSession | undefined> {
    const saved = this.sessions.get(token);
    this.sessions.delete(token);
    return saved && saved.expiresAt > Date.now() ? saved.session : undefined;
  }

  async claimDeadNodes(): Promise<DeadNode[]> {
    return [];
  }

  async forgetNode(_nodeId: string): Promise<void> {}

  async sweep(now: number): Promise<void> {
    this.history.sweep(now);
    this.dropExpiredSessions(now);
  }

  /** Everything this node holds, for an engine that mirrors it into a shared store. */
  entries(): MemoryEngineEntries {
    const entries: MemoryEngineEntries = { connections: [...this.connections].map(([id, stored]) => this.recordOf(id, stored)), members: [], presence: [] };
    for (const [channel, record] of this.channels) {
      for (const member of record.members.values()) entries.members.push({ channel, ...toMembership(member) });
      for (const [clientId, presence] of record.presence) {
        for (const meta of metasOf(presence)) entries.presence.push({ channel, clientId, connectionId: meta.connectionId, meta });
      }
    }
    return entries;
  }

  /** A connection's record, a copy of its own. */
  private recordOf(connectionId: string, { clientId, state, connectedAt }: StoredConnection): ConnectionRecord {
    return { connectionId, clientId, nodeId: this.nodeId, state, connectedAt };
  }

  /** Whether a connection is one of this engine's (opened here and not closed). */
  holds(connectionId: string): boolean {
    return this.connections.has(connectionId);
  }

  private dropExpiredSessions(now: number): void {
    for (const [token, saved] of this.sessions) {
      if (saved.expiresAt > now) break;
      this.sessions.delete(token);
    }
  }

  async sendToClient(clientId: string, frame: Buffer): Promise<number> {
    let delivered = 0;
    for (const connection of this.node?.connectionsOf(clientId) ?? []) {
      if (connection.send(frame)) delivered++;
    }
    return delivered;
  }

  async presenceSet(channel: string, clientId: string, connectionId: string, meta: Record<string, unknown>): Promise<PresenceWrite> {
    const record = this.record(channel);
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
    return { clientId, connectionId, meta: stored, countBefore, countAfter };
  }

  async presenceRemove(channel: string, connectionId: string): Promise<PresenceWrite | undefined> {
    const record = this.channels.get(channel);
    if (!record) return undefined;
    const clientId = this.presenceOwner(record, connectionId);
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
    return { clientId, connectionId, meta, countBefore, countAfter: countBefore - 1 };
  }

  async presenceMeta(channel: string, connectionId: string): Promise<{ clientId: string; meta: PresenceMeta } | undefined> {
    const record = this.channels.get(channel);
    const clientId = record && this.presenceOwner(record, connectionId);
    const meta = clientId === undefined ? undefined : presenceOf(record?.presence.get(clientId), connectionId);
    return clientId !== undefined && meta ? { clientId, meta } : undefined;
  }

  /**
   * The clientId a connection's presence in a channel is under: its connection's, found through the
   * node, for a connection of this node (every tracked one, but in a test); otherwise looked for.
   */
  private presenceOwner(record: ChannelRecord, connectionId: string): string | undefined {
    const clientId = this.node?.get(connectionId)?.clientId;
    if (clientId !== undefined && presenceOf(record.presence.get(clientId), connectionId)) return clientId;
    for (const [owner, presence] of record.presence) {
      if (owner !== clientId && presenceOf(presence, connectionId)) return owner;
    }
    return undefined;
  }

  async presenceState(channel: string): Promise<PresenceState> {
    const state: PresenceState = {};
    for (const [clientId, presence] of this.channels.get(channel)?.presence ?? []) {
      state[clientId] = { metas: presence instanceof Map ? [...presence.values()] : [presence] };
    }
    return state;
  }

  async presenceOrphans(): Promise<Array<{ channel: string; connectionId: string }>> {
    const orphans: Array<{ channel: string; connectionId: string }> = [];
    for (const [channel, record] of this.channels) {
      for (const presence of record.presence.values()) {
        for (const meta of metasOf(presence)) {
          const connectionId = meta.connectionId;
          if (!record.members.has(connectionId)) orphans.push({ channel, connectionId });
        }
      }
    }
    return orphans;
  }

  async groupAdd(group: string, clientId: string): Promise<boolean> {
    let members = this.groups.get(group);
    if (!members) this.groups.set(group, (members = new Set()));
    const added = !members.has(clientId);
    members.add(clientId);
    return added;
  }

  async groupRemove(group: string, clientId: string): Promise<boolean> {
    const members = this.groups.get(group);
    const removed = members?.delete(clientId) ?? false;
    if (members?.size === 0) this.groups.delete(group);
    return removed;
  }

  async groupMembers(group: string): Promise<string[]> {
    return [...(this.groups.get(group) ?? [])];
  }

  async groupsOf(clientId: string): Promise<string[]> {
    return [...this.groups].filter(([, members]) => members.has(clientId)).map(([group]) => group);
  }

  async close(): Promise<void> {
    this.channels.clear();
    this.channelsByConnection.clear();
    this.groups.clear();
    this.connections.clear();
    this.connectionsByClient.clear();
    this.history.clear();
    this.sessions.clear();
  }
}

function toMembership({ connection, meta, joinedAt }: LocalMember): Membership {
  return { connectionId: connection.id, clientId: connection.clientId, meta, joinedAt };
}
