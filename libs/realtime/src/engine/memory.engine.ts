import { randomUUID } from 'crypto';
import type { PresenceMeta, PresenceState } from '../protocol/presence-state';
import { storedMeta } from '../presence/stored-meta';
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
} from './realtime-engine.interface';

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

interface LocalMember extends Membership {
  connection: LocalConnection;
}

interface ChannelRecord {
  members: Map<string, LocalMember>;
  /** clientId → connectionId → meta, in join order. */
  presence: Map<string, Map<string, PresenceMeta>>;
  /** connectionId → clientId of its presence entry. */
  presenceOwners: Map<string, string>;
  emptySince: number;
}

/** The default engine: everything in this process's memory, fan-out by a loop over the members. */
export class MemoryEngine implements RealtimeEngine {
  readonly nodeId = randomUUID();
  private node?: EngineNode;
  private readonly channels = new Map<string, ChannelRecord>();
  private readonly channelsByConnection = new Map<string, Set<string>>();
  private readonly groups = new Map<string, Set<string>>();
  private readonly connections = new Map<string, ConnectionRecord>();
  private readonly connectionsByClient = new Map<string, Set<string>>();
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
    this.connections.set(record.connectionId, { ...record, nodeId: this.nodeId });
    let ids = this.connectionsByClient.get(record.clientId);
    if (!ids) this.connectionsByClient.set(record.clientId, (ids = new Set()));
    ids.add(record.connectionId);
  }

  async connectionState(connectionId: string, state: string): Promise<void> {
    const record = this.connections.get(connectionId);
    if (record) record.state = state;
  }

  async connectionClosed(connectionId: string, clientId: string): Promise<{ lastOfClient: boolean }> {
    this.connections.delete(connectionId);
    const ids = this.connectionsByClient.get(clientId);
    ids?.delete(connectionId);
    if (ids?.size) return { lastOfClient: false };
    this.connectionsByClient.delete(clientId);
    return { lastOfClient: true };
  }

  async connectionsOfClient(clientId: string): Promise<ConnectionRecord[]> {
    return [...(this.connectionsByClient.get(clientId) ?? [])].map((id) => ({ ...this.connections.get(id)! }));
  }

  async connectionCount(): Promise<number> {
    return this.connections.size;
  }

  private record(channel: string): ChannelRecord {
    let record = this.channels.get(channel);
    if (!record) {
      record = { members: new Map(), presence: new Map(), presenceOwners: new Map(), emptySince: Date.now() };
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
    record.members.set(connection.id, {
      connection,
      connectionId: connection.id,
      clientId: connection.clientId,
      meta,
      joinedAt: Date.now(),
    });
    let joined = this.channelsByConnection.get(connection.id);
    if (!joined) this.channelsByConnection.set(connection.id, (joined = new Set()));
    joined.add(channel);
    return { created: true };
  }

  async leave(channel: string, connectionId: string): Promise<Membership | undefined> {
    const record = this.channels.get(channel);
    const member = record?.members.get(connectionId);
    if (!record || !member) return undefined;
    record.members.delete(connectionId);
    if (record.members.size === 0) record.emptySince = Date.now();
    const joined = this.channelsByConnection.get(connectionId);
    joined?.delete(channel);
    if (joined?.size === 0) this.channelsByConnection.delete(connectionId);
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
    return [...(this.channelsByConnection.get(connectionId) ?? [])];
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
    const entries: MemoryEngineEntries = { connections: [...this.connections.values()].map((record) => ({ ...record })), members: [], presence: [] };
    for (const [channel, record] of this.channels) {
      for (const member of record.members.values()) entries.members.push({ channel, ...toMembership(member) });
      for (const [clientId, metas] of record.presence) {
        for (const [connectionId, meta] of metas) entries.presence.push({ channel, clientId, connectionId, meta });
      }
    }
    return entries;
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
    let metas = record.presence.get(clientId);
    const countBefore = metas?.size ?? 0;
    if (!metas) record.presence.set(clientId, (metas = new Map()));
    const onlineAt = (metas.get(connectionId)?.onlineAt as number | undefined) ?? Date.now();
    const stored = storedMeta(meta, connectionId, onlineAt);
    metas.set(connectionId, stored);
    record.presenceOwners.set(connectionId, clientId);
    return { clientId, connectionId, meta: stored, countBefore, countAfter: metas.size };
  }

  async presenceRemove(channel: string, connectionId: string): Promise<PresenceWrite | undefined> {
    const record = this.channels.get(channel);
    if (!record) return undefined;
    const clientId = record.presenceOwners.get(connectionId);
    const metas = clientId === undefined ? undefined : record.presence.get(clientId);
    const meta = metas?.get(connectionId);
    if (clientId === undefined || !metas || !meta) return undefined;
    const countBefore = metas.size;
    metas.delete(connectionId);
    record.presenceOwners.delete(connectionId);
    if (metas.size === 0) record.presence.delete(clientId);
    if (record.members.size === 0 && record.presence.size === 0) record.emptySince = Date.now();
    return { clientId, connectionId, meta, countBefore, countAfter: metas.size };
  }

  async presenceMeta(channel: string, connectionId: string): Promise<{ clientId: string; meta: PresenceMeta } | undefined> {
    const record = this.channels.get(channel);
    const clientId = record?.presenceOwners.get(connectionId);
    const meta = clientId === undefined ? undefined : record?.presence.get(clientId)?.get(connectionId);
    return clientId !== undefined && meta ? { clientId, meta } : undefined;
  }

  async presenceState(channel: string): Promise<PresenceState> {
    const state: PresenceState = {};
    for (const [clientId, metas] of this.channels.get(channel)?.presence ?? []) {
      state[clientId] = { metas: [...metas.values()] };
    }
    return state;
  }

  async presenceOrphans(): Promise<Array<{ channel: string; connectionId: string }>> {
    const orphans: Array<{ channel: string; connectionId: string }> = [];
    for (const [channel, record] of this.channels) {
      for (const metas of record.presence.values()) {
        for (const connectionId of metas.keys()) {
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

function toMembership({ connectionId, clientId, meta, joinedAt }: LocalMember): Membership {
  return { connectionId, clientId, meta, joinedAt };
}
