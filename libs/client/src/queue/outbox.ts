import type { RequestTracker } from '../request/request.tracker';
import type { QueuedFrame, SendQueue } from './send.queue';
import type { WireFrame } from '../codec/frame.codec';

/**
 * Where outgoing frames go: straight to the socket while the session is open, into the bounded queue
 * otherwise. Opening flushes the queue in order; a request's timeout starts when it is written.
 */
export class Outbox {
  private open = false;

  constructor(
    private readonly queue: SendQueue,
    private readonly requests: RequestTracker,
    private readonly write: (wire: WireFrame) => boolean,
  ) {}

  get isOpen(): boolean {
    return this.open;
  }

  /** Sends or queues; throws `queue_full` (and queues nothing) past the queue's bound. */
  send(frame: QueuedFrame): void {
    if (this.open && this.writeNow(frame)) return;
    this.queue.push(frame);
  }

  /** Writes ahead of the queue on the current connection; false when there is none. */
  writeNow(frame: QueuedFrame): boolean {
    if (!this.write(frame.wire)) return false;
    if (frame.ref !== undefined) this.requests.sent(frame.ref);
    return true;
  }

  /** The session is restored: flush the queue, oldest first, then send directly. */
  openAndFlush(): void {
    this.open = true;
    for (const frame of this.queue.drain()) this.writeNow(frame);
  }

  close(): void {
    this.open = false;
  }

  /** Takes the queued frames out (to fail their requests). */
  discardQueued(): QueuedFrame[] {
    return this.queue.drain();
  }
}
