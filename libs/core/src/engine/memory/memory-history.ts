import { historyFrame, newEpoch } from '../history-frame';
import type { HistoryOptions, HistoryRead, StreamPosition } from '../stores';

interface Entry {
  offset: number;
  at: number;
  frame: Buffer;
}

interface ChannelHistory {
  epoch: string;
  offset: number;
  /** Oldest first; at most `size` of them. */
  entries: Entry[];
  lastWriteAt: number;
  /** The age bound last asked for. */
  ttl: number;
}

/**
 * The in-memory engine's histories: per channel, the last messages (bounded by size and age) with their
 * offsets, and the epoch. A channel's offset and epoch outlive its messages by `metaTtl` ms, so that a
 * client that missed nothing can still resume after the messages expired.
 */
export class MemoryHistory {
  private readonly channels = new Map<string, ChannelHistory>();

  constructor(private readonly metaTtl: number) {}

  append(channel: string, body: string, options: HistoryOptions, now = Date.now()): { frame: Buffer; position: StreamPosition } {
    const history = this.record(channel, now);
    history.ttl = options.ttl;
    const position = { offset: history.offset + 1, epoch: history.epoch };
    const frame = historyFrame(body, position);
    history.offset = position.offset;
    history.lastWriteAt = now;
    history.entries.push({ offset: position.offset, at: now, frame });
    this.trim(history, options, now);
    return { frame, position };
  }

  position(channel: string, now = Date.now()): StreamPosition {
    const { offset, epoch } = this.record(channel, now);
    return { offset, epoch };
  }

  since(channel: string, since: StreamPosition, options: HistoryOptions, now = Date.now()): HistoryRead {
    const history = this.channels.get(channel);
    if (!history || history.epoch !== since.epoch || since.offset > history.offset) return { lost: 'epoch' };
    const position = { offset: history.offset, epoch: history.epoch };
    const missed = history.offset - since.offset;
    if (missed === 0) return { frames: [], position };
    history.ttl = options.ttl;
    this.trim(history, options, now);
    const kept = history.entries;
    if (kept.length < missed) return { lost: 'window' };
    return { frames: kept.slice(kept.length - missed).map((entry) => entry.frame), position };
  }

  /** Drops the messages past their age, and the channels that published nothing for longer than the meta's time to live. */
  sweep(now = Date.now()): void {
    for (const [channel, history] of this.channels) {
      this.trimAge(history, history.ttl, now);
      if (now - history.lastWriteAt > Math.max(this.metaTtl, history.ttl)) this.channels.delete(channel);
    }
  }

  clear(): void {
    this.channels.clear();
  }

  private record(channel: string, now: number): ChannelHistory {
    let history = this.channels.get(channel);
    if (!history) this.channels.set(channel, (history = { epoch: newEpoch(), offset: 0, entries: [], lastWriteAt: now, ttl: 0 }));
    return history;
  }

  private trim(history: ChannelHistory, options: HistoryOptions, now: number): void {
    if (history.entries.length > options.size) history.entries.splice(0, history.entries.length - options.size);
    this.trimAge(history, options.ttl, now);
  }

  private trimAge(history: ChannelHistory, ttl: number, now: number): void {
    let expired = 0;
    while (expired < history.entries.length && now - history.entries[expired].at > ttl) expired++;
    if (expired > 0) history.entries.splice(0, expired);
  }
}
