import { ClientMessages } from '../error/client.messages';
import { RealtimeError } from '../error/realtime.error';
import { ProtocolEvent } from '@nest-realtime/protocol';
import type { ResumeStatePositions, StreamPosition } from '@nest-realtime/protocol';
import type { ChannelLink } from './channel.link';
import { RealtimeChannel } from './realtime.channel';

/** The client's channels by name: one object per name, kept across leaves and reconnects. */
export class ChannelRegistry {
  private readonly channels = new Map<string, RealtimeChannel<any, any, any>>();

  constructor(private readonly link: ChannelLink) {}

  channel<P, M extends object, S extends object>(name: string): RealtimeChannel<P, M, S> {
    if (typeof name !== 'string' || name.length === 0) throw new RealtimeError('invalid', ClientMessages.badChannelName(name));
    let channel = this.channels.get(name);
    if (!channel) this.channels.set(name, (channel = new RealtimeChannel<P, M, S>(name, this.link)));
    return channel as RealtimeChannel<P, M, S>;
  }

  /** Hands a channel frame to its channel; false when the frame names no channel of this client. */
  route(event: string, data: unknown): boolean {
    const name = (data as { channel?: unknown } | null)?.channel;
    const channel = typeof name === 'string' ? this.channels.get(name) : undefined;
    if (!channel) return false;
    channel.receive(event, data as Record<string, unknown>);
    return true;
  }

  restore(): void {
    for (const channel of this.channels.values()) channel.restore();
  }

  /** The channels a resume may bring back, with the position of those that keep history; undefined when there are none. */
  resumable(): Record<string, StreamPosition | null> | undefined {
    const positions: Record<string, StreamPosition | null> = {};
    for (const channel of this.channels.values()) if (channel.resumable) positions[channel.name] = channel.position ?? null;
    return Object.keys(positions).length ? positions : undefined;
  }

  /** Where the resumable channels stand in their shared states (each scope held); undefined when none holds one. */
  resumableState(): ResumeStatePositions | undefined {
    const positions: ResumeStatePositions = {};
    for (const channel of this.channels.values()) {
      if (!channel.resumable) continue;
      const scopes = channel.sharedState.positions();
      if (Object.keys(scopes).length) positions[channel.name] = scopes;
    }
    return Object.keys(positions).length ? positions : undefined;
  }

  /**
   * The server resumed the session with these channels: they are joined as they were; channels it did
   * not bring back are joined again, and those it brought back that this client left meanwhile are left.
   */
  resumed(restored: string[]): void {
    const back = new Set(restored);
    for (const channel of this.channels.values()) {
      if (back.has(channel.name) && channel.resumable) channel.resumed();
      else channel.restore();
    }
    for (const name of back) {
      if (this.channels.get(name)?.isWanted) continue;
      this.link.requestNow(ProtocolEvent.ChannelLeave, { channel: name }).catch((error: RealtimeError) => this.link.report(error));
    }
  }

  connectionLost(): void {
    for (const channel of this.channels.values()) channel.connectionLost();
  }

  stopped(error: RealtimeError, closed: boolean): void {
    for (const channel of this.channels.values()) channel.stopped(error, closed);
  }
}
