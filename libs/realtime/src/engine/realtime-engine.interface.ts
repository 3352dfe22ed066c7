import type { PresenceMeta, PresenceState } from '../protocol/presence-state';

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
  /** Called once at bootstrap with the node the engine delivers to. */
  bind(node: EngineNode): void | Promise<void>;

  /** Adds or updates a membership; `created` is false when the connection was already a member. */
  join(channel: string, connection: LocalConnection, meta: Record<string, unknown>): Promise<{ created: boolean }>;
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

  /** Writes an encoded frame to every member of the channel; resolves to the number of local deliveries. */
  publish(channel: string, frame: Buffer): Promise<number>;
  /** Writes an encoded frame to every connection of a clientId; resolves to the number of deliveries. */
  sendToClient(clientId: string, frame: Buffer): Promise<number>;

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

  close(): Promise<void>;
}
