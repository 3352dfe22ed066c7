import { Injectable } from '@nestjs/common';
import type { EngineNode } from '../engine/realtime-engine.interface';
import type { RealtimeConnection } from './realtime-connection';

const NONE: ReadonlySet<RealtimeConnection> = new Set();

/** The connections of this node, by connectionId and by clientId. */
@Injectable()
export class ConnectionRegistry implements EngineNode {
  private readonly byId = new Map<string, RealtimeConnection>();
  private readonly byClient = new Map<string, Set<RealtimeConnection>>();

  add(connection: RealtimeConnection): void {
    this.byId.set(connection.id, connection);
    let connections = this.byClient.get(connection.clientId);
    if (!connections) this.byClient.set(connection.clientId, (connections = new Set()));
    connections.add(connection);
  }

  /** Removes a connection; resolves to whether it was its client's last one here. */
  remove(connection: RealtimeConnection): boolean {
    if (!this.byId.delete(connection.id)) return false;
    const connections = this.byClient.get(connection.clientId);
    connections?.delete(connection);
    if (connections?.size) return false;
    this.byClient.delete(connection.clientId);
    return true;
  }

  get(connectionId: string): RealtimeConnection | undefined {
    return this.byId.get(connectionId);
  }

  connectionsOf(clientId: string): ReadonlySet<RealtimeConnection> {
    return this.byClient.get(clientId) ?? NONE;
  }

  all(): IterableIterator<RealtimeConnection> {
    return this.byId.values();
  }

  get size(): number {
    return this.byId.size;
  }

  get clientCount(): number {
    return this.byClient.size;
  }
}
