import type { PresenceMeta, PresenceState } from '@nest-realtime/protocol';

/** A connection on this node, as the engine sees it: something frames can be written to. */
export interface LocalConnection {
  readonly id: string;
  readonly clientId: string;
  /** Writes an encoded frame; false when the connection can no longer take it. */
  send(frame: Buffer): boolean;
}

/** What the engine asks of the node it serves. */
export interface EngineNode {
  /** The local connections of a clientId. */
  connectionsOf(clientId: string): Iterable<LocalConnection>;
  /** A local connection by id. */
  get(connectionId: string): LocalConnection | undefined;
}

/** A connection as every node sees it. */
export interface ConnectionRecord {
  connectionId: string;
  clientId: string;
  /** The node that holds its socket (`RealtimeEngine.nodeId`). */
  nodeId: string;
  state: string;
  connectedAt: number;
}

/** How much of a channel's messages its history keeps: the last `size`, for at most `ttl` ms. */
export interface HistoryOptions {
  size: number;
  ttl: number;
}

/**
 * Where a channel's stream of messages stands: `offset` counts its messages (the last one's offset), in
 * an `epoch` that changes whenever the history is lost or reset, so an offset of another epoch means nothing.
 */
export interface StreamPosition {
  offset: number;
  epoch: string;
}

export interface PublishedMessage {
  /** Deliveries: local ones for the memory engine, the channel's members on every node for a cluster engine. */
  delivered: number;
  /** The message's place in the history; undefined when the history could not be written (engine unavailable). */
  position?: StreamPosition;
}

/**
 * The messages a channel published after a position, as encoded `channel:message` frames in order, or why
 * they cannot be had without a gap: `epoch` (the history was lost or reset since), `window` (some were
 * trimmed by size or age), `unavailable` (the engine cannot read the history now).
 */
export type HistoryRead = { frames: Buffer[]; position: StreamPosition } | { lost: 'epoch' | 'window' | 'unavailable' };

/** What a join did: added a member (`created`), updated one, or found the channel full. */
export type JoinOutcome = { created: boolean; full?: false } | { created: false; full: true };

/** One channel of a closed connection, as a resume restores it. */
export interface SessionChannel {
  channel: string;
  /** The membership's meta. */
  meta: Record<string, unknown>;
  /** Its presence meta (without the server's fields), when it was tracked. */
  presence?: Record<string, unknown>;
}

/** What a closed connection leaves for a resume: who it was and where it was. */
export interface ResumeSession {
  clientId: string;
  /** The connection had no identity (its clientId was its connectionId). */
  anonymous: boolean;
  channels: SessionChannel[];
}

/** A node that stopped announcing itself, and the connections it held. */
export interface DeadNode {
  nodeId: string;
  connections: Array<{ connectionId: string; clientId: string }>;
}

/** What an engine tells the node about the cluster. */
export interface EngineListener {
  /**
   * The engine wrote this node's state back after losing its store (Redis restarted, or unreachable for a
   * while), or another node did: presence may have changed unseen in the channels listed (this node's).
   */
  resynchronised(channels: string[]): void;
}

export interface Membership {
  connectionId: string;
  clientId: string;
  meta: Record<string, unknown>;
  joinedAt: number;
}

/** The outcome of a presence write for one clientId key: how many metas it held before and after. */
export interface PresenceWrite {
  clientId: string;
  connectionId: string;
  meta: Record<string, unknown>;
  countBefore: number;
  countAfter: number;
}

/**
 * The seam between the services and where state lives. The services use only this interface, so an
 * engine that spans nodes (Redis) plugs in without touching them. Every method may be asynchronous.
 */
export interface RealtimeEngine {
  /** This node's id in the cluster (the memory engine's is its own, random). */
  readonly nodeId: string;

  /** Called once at bootstrap with the node the engine delivers to. */
  bind(node: EngineNode): void | Promise<void>;
  /** Listens to what the engine tells about the cluster. */
  watch(listener: EngineListener): void;

  connectionOpened(record: Omit<ConnectionRecord, 'nodeId'>): Promise<void>;
  /** Records a connection's new state (nothing when it is gone already). */
  connectionState(connectionId: string, state: string): Promise<void>;
  /** Forgets a connection; `lastOfClient` when its clientId has no other connection on any node. */
  connectionClosed(connectionId: string, clientId: string): Promise<{ lastOfClient: boolean }>;
  /** The connections of a clientId on every node. */
  connectionsOfClient(clientId: string): Promise<ConnectionRecord[]>;
  /** Open connections on every node. */
  connectionCount(): Promise<number>;

  /**
   * Adds or updates a membership; `created` is false when the connection was already a member. With a
   * `limit` above 0, a new member of a channel that holds that many already is refused (`full`), atomically.
   */
  join(channel: string, connection: LocalConnection, meta: Record<string, unknown>, limit?: number): Promise<JoinOutcome>;
  /** Removes a membership; resolves to the removed one, or undefined when there was none. */
  leave(channel: string, connectionId: string): Promise<Membership | undefined>;
  membership(channel: string, connectionId: string): Promise<Membership | undefined>;
  members(channel: string): Promise<Membership[]>;
  memberCount(channel: string): Promise<number>;
  channelsOf(connectionId: string): Promise<string[]>;
  /** Channels that hold no member, with the time they became empty. */
  emptyChannels(): Promise<Array<{ channel: string; since: number }>>;
  /** Forgets a channel if it is still empty; resolves to whether it did. */
  dropChannel(channel: string): Promise<boolean>;

  /**
   * Writes an encoded frame to every member of the channel, on every node; resolves to the deliveries
   * (the memory engine's, counted; a cluster engine's, the channel's members when it published).
   */
  publish(channel: string, frame: Buffer): Promise<number>;
  /** Writes an encoded frame to this node's members of the channel only. */
  publishLocal(channel: string, frame: Buffer): Promise<number>;
  /** Writes an encoded frame to every connection of a clientId; resolves to the number of deliveries. */
  sendToClient(clientId: string, frame: Buffer): Promise<number>;
  /** Writes an encoded frame to one connection, on whichever node holds it; false when there is none. */
  sendToConnection(connectionId: string, frame: Buffer): Promise<boolean>;

  /**
   * Publishes a `channel:message` whose `data` is `body` (JSON of `{channel, from, payload, at}`) to a
   * channel that keeps history: the engine gives it the next offset, keeps it, and fans it out, in one
   * order on every node.
   */
  publishMessage(channel: string, body: string, history: HistoryOptions): Promise<PublishedMessage>;
  /** The channel's current position (an epoch is made for a channel that has none); undefined when unavailable. */
  position(channel: string, history: HistoryOptions): Promise<StreamPosition | undefined>;
  /** The messages published after `since`, all of them, or why not (never a gap). */
  historySince(channel: string, since: StreamPosition, history: HistoryOptions): Promise<HistoryRead>;

  /** Keeps what a closed connection leaves for a resume, for `ttl` ms. */
  saveSession(token: string, session: ResumeSession, ttl: number): Promise<void>;
  /** Takes (reads and forgets) a saved session; undefined when there is none, or it expired. */
  takeSession(token: string): Promise<ResumeSession | undefined>;

  presenceSet(channel: string, clientId: string, connectionId: string, meta: Record<string, unknown>): Promise<PresenceWrite>;
  presenceRemove(channel: string, connectionId: string): Promise<PresenceWrite | undefined>;
  /** The presence of one connection in a channel, with the clientId it is kept under. */
  presenceMeta(channel: string, connectionId: string): Promise<{ clientId: string; meta: PresenceMeta } | undefined>;
  presenceState(channel: string): Promise<PresenceState>;
  /** Presence entries whose connection is no longer a member of the channel. */
  presenceOrphans(): Promise<Array<{ channel: string; connectionId: string }>>;

  groupAdd(group: string, clientId: string): Promise<boolean>;
  groupRemove(group: string, clientId: string): Promise<boolean>;
  groupMembers(group: string): Promise<string[]>;
  groupsOf(clientId: string): Promise<string[]>;

  /**
   * Nodes whose heartbeat expired, each claimed by this node (no other node gets the same one while it
   * works on it), with their connections; [] for a single-node engine.
   */
  claimDeadNodes(): Promise<DeadNode[]>;
  /** Forgets a dead node once its connections are released. */
  forgetNode(nodeId: string): Promise<void>;
  /** Housekeeping on every cleanup sweep: expired histories and sessions. */
  sweep(now: number): Promise<void>;

  close(): Promise<void>;
}
