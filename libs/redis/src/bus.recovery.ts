import { ProtocolEvent, type ChannelGapReason } from '@nest-realtime/protocol';
import type { Broker, HistoryOptions, MemoryEngine, StreamPosition } from '@nest-realtime/core/engine';
import { MESSAGE_PREFIX } from '@nest-realtime/core/engine';

/** The end of a `channel:message` frame kept in history (history-frame.ts): its offset and epoch. */
const POSITION_TAIL = /,"offset":(\d+),"epoch":"([^"]+)"\}\}$/;
/** Bytes at the end of a frame that can hold its position tail. */
const TAIL_BYTES = 96;
const PREFIX = Buffer.from(MESSAGE_PREFIX);

/** The offset and epoch of a `channel:message` frame kept in history; undefined for any other frame. */
export function messagePosition(frame: Buffer): StreamPosition | undefined {
  if (frame.length < PREFIX.length || frame.compare(PREFIX, 0, PREFIX.length, 0, PREFIX.length) !== 0) return undefined;
  const tail = POSITION_TAIL.exec(frame.toString('utf8', Math.max(PREFIX.length, frame.length - TAIL_BYTES)));
  return tail ? { offset: Number(tail[1]), epoch: tail[2] } : undefined;
}

export function channelGapFrame(channel: string, reason: ChannelGapReason): Buffer {
  return Buffer.from(JSON.stringify({ event: ProtocolEvent.ChannelGap, data: { channel, reason } }));
}

/**
 * Redis pub/sub delivers at most once: what was published on this node's buses while its subscriber was
 * down is gone. So the node remembers, per channel with history, the last offset it delivered to its members; when
 * the bus is back it holds the channel's live frames, sends what its members missed from the channel's
 * stream, then the held frames, skipping any offset already sent. A channel whose missed messages cannot be
 * read again (it keeps no history, or the history was lost) gets a `channel:gap` instead.
 */
export class BusRecovery {
  private readonly delivered = new Map<string, StreamPosition>();
  private readonly histories = new Map<string, HistoryOptions>();
  /** Channels being caught up: the live frames that arrived meanwhile, and how many catch-ups are under way. */
  private readonly held = new Map<string, { frames: Buffer[]; catchUps: number }>();

  constructor(
    private readonly local: MemoryEngine,
    private readonly history: Pick<Broker, 'historySince'>,
  ) {}

  /** A member joined a channel with history at `position`: what it missed later is read from there. */
  joined(channel: string, position: StreamPosition, history: HistoryOptions): void {
    this.histories.set(channel, history);
    if (!this.delivered.has(channel)) this.delivered.set(channel, position);
  }

  /** A frame of a channel from the bus, held while the channel is caught up. */
  deliver(channel: string, frame: Buffer): number {
    const held = this.held.get(channel);
    if (held) {
      held.frames.push(frame);
      return 0;
    }
    return this.deliverOnce(channel, frame);
  }

  /**
   * The bus is coming back after it was down: holds this node's channels now (before any frame arrives),
   * and once `subscribed` (the subscriptions restored) catches each one up. When the subscription fails,
   * the bus is down again and the next resubscription catches up.
   */
  async resubscribing(subscribed: Promise<unknown>): Promise<void> {
    const channels = [...this.localChannels()];
    for (const channel of channels) {
      const held = this.held.get(channel) ?? { frames: [], catchUps: 0 };
      held.catchUps++;
      this.held.set(channel, held);
    }
    const confirmed = await subscribed.then(
      () => true,
      () => false,
    );
    await Promise.all(channels.map((channel) => this.catchUp(channel, confirmed)));
  }

  /** Forgets the channels this node no longer has members in. */
  sweep(): void {
    const channels = this.localChannels();
    for (const channel of this.delivered.keys()) if (!channels.has(channel)) this.delivered.delete(channel);
    for (const channel of this.histories.keys()) if (!channels.has(channel)) this.histories.delete(channel);
  }

  private async catchUp(channel: string, subscribed: boolean): Promise<void> {
    try {
      const reason = subscribed ? await this.resend(channel) : undefined;
      if (reason) this.local.broker.deliver(channel, channelGapFrame(channel, reason));
    } catch {
      this.local.broker.deliver(channel, channelGapFrame(channel, 'unavailable'));
    } finally {
      const held = this.held.get(channel);
      if (held && --held.catchUps === 0) {
        this.held.delete(channel);
        for (const frame of held.frames) this.deliverOnce(channel, frame);
      }
    }
  }

  /** Sends the channel's members what they missed; the reason when it cannot. */
  private async resend(channel: string): Promise<ChannelGapReason | undefined> {
    const since = this.delivered.get(channel);
    const history = this.histories.get(channel);
    if (!since || !history) return 'no_history';
    const read = await this.history.historySince(channel, since, history);
    if ('lost' in read) return read.lost;
    for (const frame of read.frames) this.deliverOnce(channel, frame);
    return undefined;
  }

  private deliverOnce(channel: string, frame: Buffer): number {
    const position = messagePosition(frame);
    if (position) {
      const last = this.delivered.get(channel);
      if (last && last.epoch === position.epoch && position.offset <= last.offset) return 0;
      this.delivered.set(channel, position);
    }
    return this.local.broker.deliver(channel, frame);
  }

  private localChannels(): Set<string> {
    return new Set(this.local.memberships.entries().map((member) => member.channel));
  }
}
