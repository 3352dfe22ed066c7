import { Injectable } from '@nestjs/common';
import type { EngineNode } from '../../engine/realtime-engine.interface';
import type { RealtimeConnection } from './realtime-connection';

const NONE: ReadonlySet<RealtimeConnection> = new Set();

/** Frames and bytes received and sent, as each connection counts its own. */
export interface ConnectionTraffic {
  framesIn: number;
  bytesIn: number;
  framesOut: number;
  bytesOut: number;
}

function addTraffic(totals: Map<string, ConnectionTraffic>, connection: RealtimeConnection): void {
  const protocol = connection.socket.protocol;
  let sums = totals.get(protocol);
  if (!sums) totals.set(protocol, (sums = { framesIn: 0, bytesIn: 0, framesOut: 0, bytesOut: 0 }));
  sums.framesIn += connection.framesIn;
  sums.bytesIn += connection.bytesIn;
  sums.framesOut += connection.framesOut;
  sums.bytesOut += connection.bytesOut;
}

/** The connections of this node, by connectionId and by clientId. */
@Injectable()
export class ConnectionRegistry implements EngineNode {
  private readonly byId = new Map<string, RealtimeConnection>();
  /**
   * A clientId's connection itself while it has one (most have, and a Set each would be ~150 bytes
   * apiece), a Set of them from its second on.
   */
  private readonly byClient = new Map<string, RealtimeConnection | Set<RealtimeConnection>>();
  /** What the connections that left received and sent, by subprotocol (see `traffic`). */
  private readonly retired = new Map<string, ConnectionTraffic>();

  add(connection: RealtimeConnection): void {
    this.byId.set(connection.id, connection);
    const held = this.byClient.get(connection.clientId);
    if (held === undefined) this.byClient.set(connection.clientId, connection);
    else if (held instanceof Set) held.add(connection);
    else if (held !== connection) this.byClient.set(connection.clientId, new Set([held, connection]));
  }

  /** Removes a connection; resolves to whether it was its client's last one here. */
  remove(connection: RealtimeConnection): boolean {
    if (!this.byId.delete(connection.id)) return false;
    addTraffic(this.retired, connection);
    const held = this.byClient.get(connection.clientId);
    if (held instanceof Set) {
      held.delete(connection);
      if (held.size > 1) return false;
      // Back to the connection itself once it is the only one.
      if (held.size === 1) {
        this.byClient.set(connection.clientId, held.values().next().value!);
        return false;
      }
    } else if (held !== undefined && held !== connection) {
      return false;
    }
    this.byClient.delete(connection.clientId);
    return true;
  }

  get(connectionId: string): RealtimeConnection | undefined {
    return this.byId.get(connectionId);
  }

  connectionsOf(clientId: string): ReadonlySet<RealtimeConnection> {
    const held = this.byClient.get(clientId);
    if (held === undefined) return NONE;
    return held instanceof Set ? held : new Set([held]);
  }

  /** How many connections a clientId has here. */
  countOf(clientId: string): number {
    const held = this.byClient.get(clientId);
    return held === undefined ? 0 : held instanceof Set ? held.size : 1;
  }

  all(): IterableIterator<RealtimeConnection> {
    return this.byId.values();
  }

  /**
   * Frames and bytes received and sent since the start, by subprotocol ('' when the client offered none):
   * the counters of the connections that left plus those of the open ones (a walk over them, for a scrape).
   */
  traffic(): Map<string, ConnectionTraffic> {
    const totals = new Map<string, ConnectionTraffic>();
    for (const [protocol, sums] of this.retired) totals.set(protocol, { ...sums });
    for (const connection of this.byId.values()) addTraffic(totals, connection);
    return totals;
  }

  get size(): number {
    return this.byId.size;
  }

  get clientCount(): number {
    return this.byClient.size;
  }
}
