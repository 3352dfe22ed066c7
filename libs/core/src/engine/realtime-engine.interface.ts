import type { EngineNode } from './engine-node';
import type { Broker, ConnectionDirectory, GroupStore, MembershipStore, PresenceStore, SessionStore, SharedStateStore } from './stores';

export * from './engine-node';
export * from './stores';

/** A node that stopped announcing itself, and the connections it held. */
export interface DeadNode {
  nodeId: string;
  connections: Array<{ connectionId: string; clientId: string }>;
}

/** A node as the engine knows it. */
export interface NodeRecord {
  nodeId: string;
  /** When it started (epoch ms). */
  startedAt: number;
  /** Whether its heartbeat is current; false for a node taken for dead whose connections are not released yet. */
  alive: boolean;
  /** The connections it holds. */
  connections: number;
}

/** What an engine tells of itself at a glance (metrics, health checks): read at once, nothing awaited. */
export interface EngineStatus {
  /** Whether the store it shares with other nodes answers now (Redis reachable); always true without one. */
  reachable: boolean;
  /** This node's channels with at least one member. */
  channels: number;
  /** This node's memberships: connections in channels. */
  members: number;
  /** This node's presence entries: one per connection in a presence channel. */
  presence: number;
}

/** What an engine tells the node about the cluster. */
export interface EngineListener {
  /**
   * The engine wrote this node's state back after losing its store (Redis restarted, or unreachable for a
   * while), or another node did: presence may have changed unseen in the channels listed (this node's).
   */
  resynchronised(channels: string[]): void;
}

/**
 * The seam between the services and where state lives: a few stores with one job each, and the node's
 * life in the cluster. The services use only this interface, so an engine that spans nodes (Redis) plugs
 * in without touching them. Every store method may be asynchronous.
 */
export interface RealtimeEngine {
  /** This node's id in the cluster (the memory engine's is its own, random). */
  readonly nodeId: string;

  /** Fan-out to members, clients and connections; channel history. */
  readonly broker: Broker;
  /** Channel memberships. */
  readonly memberships: MembershipStore;
  /** Presence metas of channels. */
  readonly presence: PresenceStore;
  /** Open connections on every node. */
  readonly directory: ConnectionDirectory;
  /** Server-side groups of clientIds. */
  readonly groups: GroupStore;
  /** Sessions saved for a resume. */
  readonly sessions: SessionStore;
  /** Shared states of channels, scopes and groups. */
  readonly state: SharedStateStore;

  /** Called once at bootstrap with the node the engine delivers to. */
  bind(node: EngineNode): void | Promise<void>;
  /** Listens to what the engine tells about the cluster. */
  watch(listener: EngineListener): void;

  /**
   * Nodes whose heartbeat expired, each claimed by this node (no other node gets the same one while it
   * works on it), with their connections; [] for a single-node engine.
   */
  claimDeadNodes(): Promise<DeadNode[]>;
  /**
   * The nodes of the cluster, this one included, for reading only (an admin's view). Optional: without
   * it, this node is the only one known.
   */
  nodes?(): Promise<NodeRecord[]>;
  /** What the engine tells of itself now. Optional: without it, metrics show no engine figures. */
  status?(): EngineStatus;
  /** Forgets a dead node once its connections are released. */
  forgetNode(nodeId: string): Promise<void>;
  /** Housekeeping on every cleanup sweep: expired histories and sessions. */
  sweep(now: number): Promise<void>;

  close(): Promise<void>;
}
