import type { PresenceMeta } from '@nest-realtime/protocol';
import type { EngineNode, LocalConnection } from '../engine-node';
import type { IdSet } from './id-set';

/** A membership of this node: its connection stands for its connectionId and clientId (not kept twice). */
export interface LocalMember {
  connection: LocalConnection;
  meta: Record<string, unknown>;
  joinedAt: number;
}

/**
 * A clientId's presence in a channel: its one meta while it has one connection there (most clientIds;
 * a Map each would cost ~200 bytes), a Map connectionId → meta, in join order, from the second on. A
 * stored meta carries its connectionId (see `storedMeta`).
 */
export type ClientPresence = PresenceMeta | Map<string, PresenceMeta>;

/**
 * A connection as this engine keeps it: its id is the key, its node this one; and the channels it is a
 * member of (kept here rather than in a map of their own: a map entry per connection).
 */
export interface StoredConnection {
  clientId: string;
  state: string;
  connectedAt: number;
  channels: IdSet | undefined;
}

export interface ChannelRecord {
  members: Map<string, LocalMember>;
  /**
   * clientId → its presence in the channel, in join order. Which clientId a connection's entry is under
   * is not kept (a map entry per member): see `MemoryPresence.owner`.
   */
  presence: Map<string, ClientPresence>;
  /** The count of presence writes of the channel (see `PresenceWrite.version`). */
  presenceVersion: number;
  emptySince: number;
}

/**
 * What the memory engine's stores share, each record kept once: a channel's members and presence (a
 * channel is empty when it holds neither), and a connection's record with its channels.
 */
export class MemoryState {
  node?: EngineNode;
  readonly channels = new Map<string, ChannelRecord>();
  /** Records by connectionId, without what the key and the engine tell (see `MemoryDirectory.recordOf`). */
  readonly connections = new Map<string, StoredConnection>();
  /** The channels of connections this engine holds no record of (not opened here, or closed already). */
  readonly channelsByConnection = new Map<string, IdSet>();

  /** A channel's record, made when it has none. */
  channel(channel: string): ChannelRecord {
    let record = this.channels.get(channel);
    if (!record) {
      record = { members: new Map(), presence: new Map(), presenceVersion: 0, emptySince: Date.now() };
      this.channels.set(channel, record);
    }
    return record;
  }

  clear(): void {
    this.channels.clear();
    this.connections.clear();
    this.channelsByConnection.clear();
  }
}
