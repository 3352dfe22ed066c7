import { Inject, Injectable } from '@nestjs/common';
import { Observable } from 'rxjs';
import type { ConnectionRecord, RealtimeEngine } from '../../engine/realtime-engine.interface';
import type { ConnectionEvent } from '../../hooks/realtime-events';
import { CloseCode } from '@nest-realtime/protocol';
import { REALTIME_ENGINE } from '../../realtime.constants';
import { ConnectionRegistry } from './connection.registry';
import { ConnectionLifecycle } from './connection.lifecycle';
import type { RealtimeConnection } from './realtime-connection';

/** What application code sees of a connection. */
export interface ConnectionInfo {
  id: string;
  clientId: string;
  claims: Record<string, unknown>;
  state: string;
  connectedAt: number;
  lastSeenAt: number;
  /** The client's IP address. */
  ip: string;
  /** When its credentials expire (epoch ms); undefined when they do not. */
  expiresAt?: number;
}

function info(connection: RealtimeConnection): ConnectionInfo {
  const { id, clientId, claims, state, connectedAt, lastSeenAt, ip, expiresAt } = connection;
  return { id, clientId, claims, state, connectedAt, lastSeenAt, ip, expiresAt };
}

/**
 * The connections of this node: look-up, disconnect, open/close events, and how shutdown closes them;
 * and, through the engine, the connections of every node (`findAnywhere`, `isOnlineAnywhere`, `countAnywhere`).
 */
@Injectable()
export class ConnectionService {
  /** Every open and close. */
  readonly connection$: Observable<ConnectionEvent>;
  private shutdownCode: number = CloseCode.GoingAway;

  constructor(
    private readonly registry: ConnectionRegistry,
    private readonly lifecycle: ConnectionLifecycle,
    @Inject(REALTIME_ENGINE) private readonly engine: RealtimeEngine,
  ) {
    this.connection$ = lifecycle.connection$;
  }

  get(connectionId: string): ConnectionInfo | undefined {
    const connection = this.registry.get(connectionId);
    return connection && info(connection);
  }

  ofClient(clientId: string): ConnectionInfo[] {
    return [...this.registry.connectionsOf(clientId)].map(info);
  }

  isOnline(clientId: string): boolean {
    return this.registry.countOf(clientId) > 0;
  }

  count(): number {
    return this.registry.size;
  }

  /** The connections of a clientId on every node: which node, which state, since when. */
  findAnywhere(clientId: string): Promise<ConnectionRecord[]> {
    return this.engine.directory.connectionsOf(clientId);
  }

  /** Whether a clientId has a connection on any node. */
  async isOnlineAnywhere(clientId: string): Promise<boolean> {
    return (await this.engine.directory.connectionsOf(clientId)).length > 0;
  }

  /** Open connections on every node. */
  countAnywhere(): Promise<number> {
    return this.engine.directory.count();
  }

  /** Closes a connection with 4001 (disconnected by the application). */
  disconnect(connectionId: string, reason = 'disconnected by the application'): boolean {
    const connection = this.registry.get(connectionId);
    if (!connection) return false;
    this.lifecycle.kick(connection, CloseCode.DisconnectedByApplication, reason);
    return true;
  }

  /** Closes every connection of a clientId with 4001; resolves to how many there were. */
  disconnectClient(clientId: string, reason = 'disconnected by the application'): number {
    const connections = [...this.registry.connectionsOf(clientId)];
    connections.forEach((connection) => this.lifecycle.kick(connection, CloseCode.DisconnectedByApplication, reason));
    return connections.length;
  }

  /** Makes the next shutdown close connections with 1012 (service restart) instead of 1001. */
  markRestarting(): void {
    this.shutdownCode = CloseCode.ServiceRestart;
  }

  get closeCodeAtShutdown(): number {
    return this.shutdownCode;
  }
}
