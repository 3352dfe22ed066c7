import type { Broker, HistoryOptions, HistoryRead, PublishedMessage, StreamPosition } from '../stores';
import { MemoryHistory } from './memory-history';
import type { MemoryState } from './memory.state';

/** Fan-out by a loop over this node's members; histories in memory. */
export class MemoryBroker implements Broker {
  private readonly history: MemoryHistory;

  constructor(
    private readonly shared: MemoryState,
    historyMetaTtl: number,
  ) {
    this.history = new MemoryHistory(historyMetaTtl);
  }

  async publish(channel: string, frame: Buffer): Promise<number> {
    return this.deliver(channel, frame);
  }

  async publishLocal(channel: string, frame: Buffer): Promise<number> {
    return this.deliver(channel, frame);
  }

  async sendToClient(clientId: string, frame: Buffer): Promise<number> {
    return this.deliverToClient(clientId, frame);
  }

  async sendToConnection(connectionId: string, frame: Buffer): Promise<boolean> {
    return this.deliverToConnection(connectionId, frame) ?? false;
  }

  async publishMessage(channel: string, body: string, history: HistoryOptions): Promise<PublishedMessage> {
    const { frame, position } = this.history.append(channel, body, history);
    return { delivered: this.deliver(channel, frame), position };
  }

  async position(channel: string): Promise<StreamPosition> {
    return this.history.position(channel);
  }

  async historySince(channel: string, since: StreamPosition, history: HistoryOptions): Promise<HistoryRead> {
    return this.history.since(channel, since, history);
  }

  /** Writes a frame to this node's members of a channel, now; returns the deliveries. */
  deliver(channel: string, frame: Buffer): number {
    const record = this.shared.channels.get(channel);
    if (!record) return 0;
    let delivered = 0;
    for (const member of record.members.values()) {
      if (member.connection.send(frame)) delivered++;
    }
    return delivered;
  }

  /** Writes a frame to this node's connections of a clientId, now; returns the deliveries. */
  deliverToClient(clientId: string, frame: Buffer): number {
    let delivered = 0;
    for (const connection of this.shared.node?.connectionsOf(clientId) ?? []) {
      if (connection.send(frame)) delivered++;
    }
    return delivered;
  }

  /** Writes a frame to a connection of this node, now; undefined when this node does not hold it. */
  deliverToConnection(connectionId: string, frame: Buffer): boolean | undefined {
    return this.shared.node?.get(connectionId)?.send(frame);
  }

  sweep(now: number): void {
    this.history.sweep(now);
  }

  clear(): void {
    this.history.clear();
  }
}
