import { Injectable, NotFoundException, OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { PresenceState } from '@nest-realtime/protocol';
import type { NodeRecord } from '../engine/realtime-engine.interface';
import { RealtimeLogger } from '../logging/realtime.logger';
import type { ResolvedRealtimeOptions } from '../options/realtime-options.resolver';
import { REALTIME_OPTIONS } from '../realtime.constants';
import { ChannelService } from '../services/channel/channel.service';
import { ConnectionInfo, ConnectionService } from '../services/connection/connection.service';
import { PresenceService } from '../services/presence/presence.service';
import {
  ADMIN_DISCONNECTED,
  ADMIN_DRAIN_FAILED,
  ADMIN_DRAIN_STARTED,
  ADMIN_KICKED,
  ADMIN_PUBLISHED,
  CLIENT_NOT_HERE,
  CONNECTION_NOT_HERE,
  NEEDS_REALTIME_MODULE_FOR_ADMIN,
  NO_PRESENCE,
  NOT_A_MEMBER,
} from '../realtime.messages';
import type { Paging } from './admin.input';

/** `GET nodes`: this node, and every node the engine knows. */
export interface AdminNodes {
  /** The node that answered. */
  nodeId: string;
  /** Open connections on this node. */
  connections: number;
  /** Open connections on every node. */
  connectionsAnywhere: number;
  /** Whether this node is draining (it refuses new connections for the rest of its life). */
  draining: boolean;
  nodes: Array<NodeRecord & { self: boolean }>;
}

export interface AdminConnection extends ConnectionInfo {
  /** The channels it is a member of. */
  channels: string[];
}

/** A page of a list: `total` items match, these are `limit` of them from `offset`. */
export interface AdminPage extends Paging {
  total: number;
}

export interface AdminConnections extends AdminPage {
  nodeId: string;
  connections: AdminConnection[];
}

export interface AdminChannel {
  channel: string;
  /** Members on every node. */
  members: number;
  /** Whether the channel tracks presence. */
  presence: boolean;
  /** Whether the channel keeps history. */
  history: boolean;
}

export interface AdminChannels extends AdminPage {
  channels: AdminChannel[];
}

export interface AdminMember {
  connectionId: string;
  clientId: string;
  meta: Record<string, unknown>;
  joinedAt: number;
}

export interface AdminMembers extends AdminPage {
  channel: string;
  members: AdminMember[];
}

/** What the admin API reads and does, through the library's services (this node's connections; every node's channels). */
@Injectable()
export class RealtimeAdminService implements OnModuleInit {
  private connections!: ConnectionService;
  private channels!: ChannelService;
  private presence!: PresenceService;
  private logger!: RealtimeLogger;

  constructor(private readonly moduleRef: ModuleRef) {}

  /** Found wherever RealtimeModule is (it need not be global, nor imported here). */
  onModuleInit(): void {
    try {
      this.connections = this.moduleRef.get(ConnectionService, { strict: false });
      this.channels = this.moduleRef.get(ChannelService, { strict: false });
      this.presence = this.moduleRef.get(PresenceService, { strict: false });
      const options = this.moduleRef.get<ResolvedRealtimeOptions>(REALTIME_OPTIONS, { strict: false });
      this.logger = new RealtimeLogger('RealtimeAdmin', options.logLevels);
    } catch {
      throw new Error(NEEDS_REALTIME_MODULE_FOR_ADMIN);
    }
  }

  async nodes(): Promise<AdminNodes> {
    const nodeId = this.connections.nodeId;
    const [nodes, connectionsAnywhere] = await Promise.all([this.connections.nodes(), this.connections.countAnywhere()]);
    return {
      nodeId,
      connections: this.connections.count(),
      connectionsAnywhere,
      draining: this.connections.draining,
      nodes: nodes.map((node) => ({ ...node, self: node.nodeId === nodeId })),
    };
  }

  /** This node's connections, in the order they opened; of a clientId, of a channel's members, or both. */
  async connectionsPage(filter: { clientId?: string; channel?: string }, paging: Paging): Promise<AdminConnections> {
    const { clientId, channel } = filter;
    let total: number;
    let page: ConnectionInfo[];
    if (channel === undefined && clientId === undefined) {
      total = this.connections.count();
      page = this.connections.list(paging);
    } else {
      let matching: ConnectionInfo[];
      if (channel !== undefined) {
        const members = (await this.channels.members(channel)).filter((member) => clientId === undefined || member.clientId === clientId);
        matching = members.map((member) => this.connections.get(member.connectionId)).filter((found) => found !== undefined);
      } else {
        matching = this.connections.ofClient(clientId!);
      }
      total = matching.length;
      page = matching.slice(paging.offset, paging.offset + paging.limit);
    }
    const connections = await Promise.all(page.map(async (info) => ({ ...info, channels: await this.channels.channelsOf(info.id) })));
    return { nodeId: this.connections.nodeId, total, ...paging, connections };
  }

  async channelsPage(prefix: string | undefined, paging: Paging): Promise<AdminChannels> {
    const all = (await this.channels.active()).filter(({ channel }) => prefix === undefined || channel.startsWith(prefix));
    const channels = all.slice(paging.offset, paging.offset + paging.limit).map(({ channel, members }) => {
      const options = this.channels.optionsOf(channel);
      return { channel, members, presence: options.presence, history: options.history !== undefined };
    });
    return { total: all.length, ...paging, channels };
  }

  async membersPage(channel: string, paging: Paging): Promise<AdminMembers> {
    const all = await this.channels.members(channel);
    const members = all.slice(paging.offset, paging.offset + paging.limit).map(({ connectionId, clientId, meta, joinedAt }) => ({ connectionId, clientId, meta, joinedAt }));
    return { channel, total: all.length, ...paging, members };
  }

  async presenceOf(channel: string): Promise<{ channel: string; presence: PresenceState }> {
    if (!this.channels.optionsOf(channel).presence) throw new NotFoundException(NO_PRESENCE(channel));
    return { channel, presence: await this.presence.list(channel) };
  }

  disconnect(connectionId: string, reason: string): { disconnected: number } {
    const connection = this.connections.get(connectionId);
    if (!connection || !this.connections.disconnect(connectionId, reason)) throw new NotFoundException(CONNECTION_NOT_HERE(connectionId));
    this.logger.log(ADMIN_DISCONNECTED(`connection ${connectionId} of ${connection.clientId}`, 1, reason));
    return { disconnected: 1 };
  }

  disconnectClient(clientId: string, reason: string): { disconnected: number } {
    const disconnected = this.connections.disconnectClient(clientId, reason);
    if (disconnected === 0) throw new NotFoundException(CLIENT_NOT_HERE(clientId));
    this.logger.log(ADMIN_DISCONNECTED(`client ${clientId}`, disconnected, reason));
    return { disconnected };
  }

  async kick(channel: string, clientId: string, reason: string): Promise<{ kicked: number }> {
    const kicked = await this.channels.kick(channel, clientId, reason);
    if (kicked === 0) throw new NotFoundException(NOT_A_MEMBER(channel, clientId));
    this.logger.log(ADMIN_KICKED(channel, clientId, kicked, reason));
    return { kicked };
  }

  /**
   * Starts this node's drain and answers at once (the drain goes on for up to its window); `started` is
   * false when one was under way already (a node drains once, over the first drain's window).
   */
  drain(window: number | undefined): { draining: true; started: boolean } {
    const started = !this.connections.draining;
    this.connections.drain(window === undefined ? {} : { window }).catch((error: unknown) => this.logger.error(ADMIN_DRAIN_FAILED, error));
    if (started) this.logger.log(ADMIN_DRAIN_STARTED(window));
    return { draining: true, started };
  }

  async publish(channel: string, payload: unknown): Promise<{ delivered: number }> {
    const delivered = await this.channels.publish(channel, payload);
    this.logger.log(ADMIN_PUBLISHED(channel, delivered));
    return { delivered };
  }
}
