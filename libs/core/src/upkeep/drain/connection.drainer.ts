import { Observable } from 'rxjs';
import { WebSocket } from 'ws';
import { CloseCode } from '@nest-realtime/protocol';
import { EventStream } from '../../hooks/event-stream';
import type { RealtimeLogger } from '../../logging/realtime.logger';
import { DRAIN_CLOSE_FAILED, DRAIN_CLOSE_REASON, DRAIN_ENDED, DRAIN_STARTED, DRAIN_WINDOW_ENDED } from '../../realtime.messages';
import type { ConnectionLifecycle } from '../../services/connection/connection.lifecycle';
import type { ConnectionRegistry } from '../../services/connection/connection.registry';
import type { RealtimeConnection } from '../../services/connection/realtime-connection';
import { closedBy, DRAIN_BATCH_INTERVAL_MS, nextCloseAt } from './drain.schedule';

/** The start and the end of a drain (`ConnectionService.drain$`). */
export type DrainEvent =
  | {
      type: 'start';
      /** ms the closes are spread over. */
      window: number;
      /** Open connections when it started. */
      connections: number;
      at: number;
    }
  | {
      type: 'end';
      /** Connections the drain closed. */
      closed: number;
      /** false when the window ended before every connection was gone. */
      complete: boolean;
      at: number;
    };

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** Whether `work` settles within `ms`. */
async function within(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), Math.max(0, ms))));
  try {
    return await Promise.race([work.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Takes a node out of service without dropping a message: from the start on it reports `draining` (the
 * upgrade handler then refuses upgrades with 503, readiness is down), and it closes the node's
 * connections with 1012 in batches spread over the window, each after its session was kept in the engine
 * for a resume on another node. Done when the last connection is gone or the window is over; a node
 * drains once.
 */
export class ConnectionDrainer {
  private readonly stream = new EventStream<DrainEvent>();
  readonly drain$: Observable<DrainEvent> = this.stream.events$;
  private running?: Promise<void>;
  private readonly handled = new WeakSet<RealtimeConnection>();

  constructor(
    private readonly registry: ConnectionRegistry,
    private readonly lifecycle: ConnectionLifecycle,
    private readonly logger: RealtimeLogger,
  ) {
    // A connection that leaves by itself meanwhile is released at once: during a shutdown the cleanup has stopped already.
    lifecycle.onSocketClose((connection, code) => {
      if (this.running && this.registry.get(connection.id) === connection) void this.release(connection, connection.closeCode ?? code);
    });
  }

  get draining(): boolean {
    return this.running !== undefined;
  }

  /** Starts the drain, or returns the one under way (whose window stands). */
  drain(window: number): Promise<void> {
    this.running ??= this.run(window);
    return this.running;
  }

  complete(): void {
    this.stream.complete();
  }

  private async run(window: number): Promise<void> {
    const startedAt = Date.now();
    const deadline = startedAt + window;
    const closing: Array<Promise<void>> = [];
    let closed = 0;
    const connections = this.open().length;
    this.logger.log(DRAIN_STARTED(connections, window));
    this.stream.emit({ type: 'start', window, connections, at: startedAt });
    let complete = false;
    for (;;) {
      const waiting = this.open();
      // Connections that left by themselves meanwhile count no more: the rest keep to the pace.
      const due = Math.max(0, closedBy(closing.length + waiting.length, Date.now() - startedAt, window) - closing.length);
      for (const connection of waiting.slice(0, due)) closing.push(this.close(connection).then(() => void closed++));
      if (due >= waiting.length) {
        // Every connection is closing: wait for them, then look again for one that opened meanwhile (an upgrade under way when the drain started).
        complete = await within(Promise.all(closing), deadline - Date.now());
        if (!complete || this.open().length === 0) break;
        continue;
      }
      const nextAt = startedAt + nextCloseAt(closing.length, closing.length + waiting.length - due, window);
      await sleep(Math.min(deadline, Math.max(nextAt, Date.now() + DRAIN_BATCH_INTERVAL_MS)) - Date.now());
    }
    if (complete) this.logger.log(DRAIN_ENDED(closing.length, Date.now() - startedAt));
    else this.logger.warn(DRAIN_WINDOW_ENDED(window, closing.length - closed + this.open().length));
    this.stream.emit({ type: 'end', closed: closing.length, complete, at: Date.now() });
  }

  /** The connections still to close: neither closed by the drain nor closing on their own. */
  private open(): RealtimeConnection[] {
    const open: RealtimeConnection[] = [];
    for (const connection of this.registry.all()) if (!this.handled.has(connection) && !connection.isClosing) open.push(connection);
    return open;
  }

  /** Keeps the session (the release saves it before leaving the channels), then closes with 1012; resolves once the socket is closed. */
  private async close(connection: RealtimeConnection): Promise<void> {
    this.handled.add(connection);
    // Frames that arrive from here on would act on a connection being released.
    connection.socket.removeAllListeners('message');
    await this.release(connection, CloseCode.ServiceRestart);
    if (connection.socket.readyState === WebSocket.CLOSED) return;
    const closed = new Promise<void>((resolve) => connection.socket.once('close', () => resolve()));
    connection.close(CloseCode.ServiceRestart, DRAIN_CLOSE_REASON);
    await closed;
  }

  private release(connection: RealtimeConnection, code: number): Promise<void> {
    return this.lifecycle.release(connection, code).catch((error: unknown) => this.logger.error(DRAIN_CLOSE_FAILED(connection.id), error));
  }
}
