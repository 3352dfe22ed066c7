import { ClientMessages } from '../error/client.messages';
import { RealtimeError } from '../error/realtime.error';
import type { WireFrame } from '../codec/frame.codec';

/** A frame, encoded, waiting for the connection. */
export interface QueuedFrame {
  /** JSON text, or MessagePack bytes. */
  wire: WireFrame;
  /** Set when a request waits for this frame's reply. */
  ref?: string;
}

/** Frames sent while disconnected, in order, up to a bound; past it a send fails with `queue_full`. */
export class SendQueue {
  private frames: QueuedFrame[] = [];

  constructor(readonly limit: number) {}

  get size(): number {
    return this.frames.length;
  }

  push(frame: QueuedFrame): void {
    if (this.frames.length >= this.limit) throw new RealtimeError('queue_full', ClientMessages.queueFull(this.limit));
    this.frames.push(frame);
  }

  /** Takes every frame, oldest first. */
  drain(): QueuedFrame[] {
    const frames = this.frames;
    this.frames = [];
    return frames;
  }
}
