import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Observable } from 'rxjs';
import type { ConnectionRecord, NodeRecord, RealtimeEngine } from '../../engine/realtime-engine.interface';
import type { ConnectionEvent } from '../../hooks/realtime-events';
import { CloseCode } from '@nest-realtime/protocol';
import { RealtimeLogger } from '../../logging/realtime.logger';
import { drainCallChecks } from '../../options/drain-options.resolver';
import type { ResolvedRealtimeOptions } from '../../options/realtime-options.resolver';
import { REALTIME_ENGINE, REALTIME_OPTIONS } from '../../realtime.constants';
import { ConnectionDrainer, DrainEvent } from '../../upkeep/drain/connection.drainer';
import { ConnectionRegistry } from './connection.registry';
import { ConnectionLifecycle } from './connection.lifecycle';
import type { RealtimeConnection, RealtimeTransport } from './realtime-connection';

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
  /** The HTTP version its WebSocket runs over: `h1` (an upgrade) or `h2` (an extended CONNECT stream). */
  transport: RealtimeTransport;
  /** When its credentials expire (epoch ms); undefined when they do not. */
  expiresAt?: number;
}

function info(connection: RealtimeConnection): ConnectionInfo {
  const { id, clientId, claims, state, connectedAt, lastSeenAt, ip, transport, expiresAt } = connection;
  return { id, clientId, claims, state, connectedAt, lastSeenAt, ip, transport, expiresAt };
}

/**
 * The connections of this node: look-up, disconnect, open/close events, how shutdown closes them and the drain;
 * and, through the engine, the connections of every node (`findAnywhere`, `isOnlineAnywhere`, `countAnywhere`).
 */
@Injectable()
export class ConnectionService implements OnApplicationShutdown {
  /** Every open and close. */
  readonly connection$: Observable<ConnectionEvent>;
  /** The start and the end of this node's drain (`drain()`, or the shutdown's with `drain.onShutdown`). */
  readonly drain$: Observable<DrainEvent>;
  private readonly drainer: ConnectionDrainer;
  private shutdownCode: number = CloseCode.GoingAway;
  private readonly startedAt = Date.now();

  constructor(
    private readonly registry: ConnectionRegistry,
    private readonly lifecycle: ConnectionLifecycle,
    @Inject(REALTIME_ENGINE) private readonly engine: RealtimeEngine,
    @Inject(REALTIME_OPTIONS) private readonly options: ResolvedRealtimeOptions,
  ) {
    this.connection$ = lifecycle.connection$;
    this.drainer = new ConnectionDrainer(registry, lifecycle, new RealtimeLogger('RealtimeDrain', options.logLevels));
    this.drain$ = this.drainer.drain$;
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

  /** This node's connections in the order they opened: `limit` of them (default all) from `offset` (default 0). */
  list({ offset = 0, limit = Infinity }: { offset?: number; limit?: number } = {}): ConnectionInfo[] {
    const page: ConnectionInfo[] = [];
    let index = 0;
    for (const connection of this.registry.all()) {
      if (page.length >= limit) break;
      if (index++ >= offset) page.push(info(connection));
    }
    return page;
  }

  /** This node's id in the cluster (`nodeId` of `findAnywhere`). */
  get nodeId(): string {
    return this.engine.nodeId;
  }

  /** The nodes of the cluster as the engine knows them; an engine that keeps no list knows this node alone. */
  async nodes(): Promise<NodeRecord[]> {
    if (this.engine.nodes) return this.engine.nodes();
    const connections = await this.engine.directory.count();
    return [{ nodeId: this.engine.nodeId, startedAt: this.startedAt, alive: true, connections }];
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

  /**
   * Takes this node out of service: from now on `draining` is true (readiness is down) and new upgrades
   * get 503; every connection is closed with 1012 (service restart), in batches spread evenly over
   * `window` ms (default: the `drain.window` option), each once its session is kept in the engine, so
   * that clients come back on another node and resume without losing a message. Resolves when the last
   * connection is gone or the window is over. A node drains once: another call returns the drain under
   * way. The shutdown then closes whatever is left.
   */
  async drain(options: { window?: number } = {}): Promise<void> {
    const window = drainCallChecks.integer('window', options?.window, this.options.drain.window, 0);
    await this.drainer.drain(window);
  }

  /** Whether a drain started: new upgrades are refused and readiness is down, for the rest of the node's life. */
  get draining(): boolean {
    return this.drainer.draining;
  }

  onApplicationShutdown(): void {
    this.drainer.complete();
  }
}
