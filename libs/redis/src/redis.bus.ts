import type { MemoryEngine } from '@nest-realtime/core/engine';
import type { BusRecovery } from './bus.recovery';
import type { ChannelSubscriptions } from './channel.subscriptions';
import type { OutageResync } from './outage.resync';

/** One message of a bus: `<kind><key length in bytes>:<key><payload>` (see redis.scripts.ts). */
export interface BusMessage {
  kind: string;
  key: string;
  payload: Buffer;
}

const COLON = 0x3a;

/** Reads a bus message without copying its payload; undefined for anything malformed. */
export function decodeBusMessage(message: Buffer): BusMessage | undefined {
  const colon = message.indexOf(COLON, 1);
  if (colon < 2) return undefined;
  const length = Number(message.toString('latin1', 1, colon));
  const keyEnd = colon + 1 + length;
  if (!Number.isInteger(length) || keyEnd > message.length) return undefined;
  return { kind: String.fromCharCode(message[0]), key: message.toString('utf8', colon + 1, keyEnd), payload: message.subarray(keyEnd) };
}

export function encodeBusMessage(kind: string, key: string, payload: string | Buffer = ''): Buffer {
  const keyBytes = Buffer.from(key);
  return Buffer.concat([Buffer.from(`${kind}${keyBytes.length}:`), keyBytes, typeof payload === 'string' ? Buffer.from(payload) : payload]);
}

/** Who takes a scope's state changes to the channels that follow it on this node. */
export interface ScopeFollowers {
  scopeChanged(scope: string, change: Buffer): void;
}

/**
 * What arrives on the buses: a channel's frames, delivered to this node's members through the local
 * engine; frames for one client or connection; a membership another node removed; a scope's state change
 * for the channels that follow it; another node's notice that it wrote its state back.
 */
export class RedisBus {
  constructor(
    private readonly clusterBus: string,
    private readonly local: MemoryEngine,
    private readonly resync: OutageResync,
    private readonly recovery: BusRecovery,
    private readonly subscriptions: ChannelSubscriptions,
    private readonly followers: ScopeFollowers,
  ) {}

  received(channel: string, message: Buffer): void {
    if (channel === this.clusterBus) {
      if (message.toString() === 'r') this.resync.settleSoon();
      return;
    }
    const decoded = decodeBusMessage(message);
    if (!decoded) return;
    const { kind, key, payload } = decoded;
    if (kind === 'm') this.recovery.deliver(key, payload);
    else if (kind === 'c') this.local.broker.deliverToClient(key, payload);
    else if (kind === 'k') this.local.broker.deliverToConnection(key, payload);
    else if (kind === 'l') void this.dropLocalMembership(key, payload.toString());
    else if (kind === 's') this.followers.scopeChanged(key, payload);
  }

  /** Another node removed a membership of this node's (a kick): stop delivering to it here too. */
  private async dropLocalMembership(channel: string, connectionId: string): Promise<void> {
    await this.local.memberships.leave(channel, connectionId);
    await this.local.presence.remove(channel, connectionId);
    await this.subscriptions.settle(channel).catch(() => undefined);
  }
}
