import type { RawData } from 'ws';
import type { RealtimeConnection } from '../../services/connection/realtime-connection';

/** Frames waiting behind a slow one at which the socket stops being read, and the count at which it reads again. */
const PAUSE_AT = 64;
const RESUME_AT = 16;

interface FrameQueue {
  tail: Promise<void>;
  /** Frames waiting, not counting the one running. */
  waiting: number;
}

function isPromise(value: unknown): value is Promise<unknown> {
  return typeof (value as Promise<unknown> | undefined)?.then === 'function';
}

/**
 * Handles a connection's frames in the order they arrived: a frame waits for an asynchronous one before
 * it to finish (a publish sent right behind its join finds the membership). When too many wait, the
 * socket is no longer read until they drain, so a flood cannot queue without bound. A frame handled
 * synchronously costs no promise.
 */
export class InOrderFrames<C extends RealtimeConnection = RealtimeConnection> {
  /** Per connection, the frame in progress and those queued behind it. */
  private readonly queues = new WeakMap<C, FrameQueue>();

  /** `handle` returns a promise for a frame that goes on asynchronously; `failed` hears of its rejection. */
  constructor(
    private readonly handle: (connection: C, raw: RawData, isBinary: boolean) => unknown,
    private readonly failed: (connection: C, error: unknown) => void,
  ) {}

  push(connection: C, raw: RawData, isBinary: boolean): void {
    const queue = this.queues.get(connection);
    if (!queue) {
      const running = this.handle(connection, raw, isBinary);
      if (isPromise(running)) this.chain(connection, { tail: Promise.resolve(), waiting: 0 }, running);
      return;
    }
    if (++queue.waiting === PAUSE_AT) connection.socket.pause();
    this.chain(
      connection,
      queue,
      queue.tail.then(() => {
        if (--queue.waiting === RESUME_AT && connection.socket.isPaused) connection.socket.resume();
        return this.handle(connection, raw, isBinary);
      }),
    );
  }

  private chain(connection: C, queue: FrameQueue, running: Promise<unknown>): void {
    const tail: Promise<void> = running.then(
      () => {
        if (queue.tail === tail) this.queues.delete(connection);
      },
      (error: unknown) => {
        this.failed(connection, error);
        if (queue.tail === tail) this.queues.delete(connection);
      },
    );
    queue.tail = tail;
    this.queues.set(connection, queue);
  }
}
