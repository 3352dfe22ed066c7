import type { Duplex } from 'stream';
import { WebSocket } from 'ws';
import type { LocalConnection } from '../../engine/realtime-engine.interface';
import type { ConnectionStateChange } from '../../hooks/realtime-events';
import { FrameWriter } from '../../transport/outbound/frame-writer';
import { countErrorSent } from '../../transport/outbound/errors-sent';
import { encodeFrame } from '../../codec/frame.codec';
import type { ErrorBody, FrameEncoding } from '@nest-realtime/protocol';
import { ProtocolEvent } from '@nest-realtime/protocol';

const CONNECTION = Symbol('realtime.connection');
/** How long a closing socket may take to finish the close handshake before it is cut. */
const CLOSE_GRACE_MS = 2000;
/** The most a close frame's reason can carry (RFC 6455: 125 bytes of payload, 2 of them the code). */
const MAX_CLOSE_REASON_BYTES = 123;

/** Cuts a close reason to what a close frame can carry, on a character boundary (`ws` throws on longer ones). */
function closeReason(reason: string): string {
  if (Buffer.byteLength(reason) <= MAX_CLOSE_REASON_BYTES) return reason;
  let cut = '';
  for (const char of reason) {
    if (Buffer.byteLength(cut + char) > MAX_CLOSE_REASON_BYTES) break;
    cut += char;
  }
  return cut;
}

/** The cap on a connection's pending outbound bytes, and who hears of a connection that goes past it. */
interface OutboundLimit {
  readonly maxPendingBytes: number;
  readonly onSlowConsumer?: (connection: RealtimeConnection) => void;
}

const NO_OUTBOUND_LIMIT: OutboundLimit = { maxPendingBytes: Infinity };
/**
 * The last limit handed out: connections limited alike (every connection of a server is) share one
 * object, rather than each carrying the cap (a boxed number) and the handler.
 */
let lastOutboundLimit = NO_OUTBOUND_LIMIT;

/** The HTTP version a WebSocket runs over: its own TCP connection (`h1`), or a stream of an HTTP/2 connection (`h2`). */
export type RealtimeTransport = 'h1' | 'h2';

export interface AppHandler {
  callback: (data: unknown, context: unknown) => unknown;
  transform: (result: unknown) => import('rxjs').Observable<unknown>;
}

/** One WebSocket connection and what the server knows of it. */
export class RealtimeConnection implements LocalConnection {
  readonly connectedAt = Date.now();
  lastSeenAt = this.connectedAt;
  state: string;
  /**
   * Its last state changes (see `stateHistory`): none, the one change most connections ever have by
   * itself (an array for it would cost ~56 bytes a connection), or an array of them.
   */
  private changes: ConnectionStateChange | ConnectionStateChange[] | undefined = undefined;
  /** The client's IP address (see `limits.trustProxy`). */
  ip = '';
  /** Its own TCP connection (`h1`), or a stream of an HTTP/2 connection it may share with others (`h2`). */
  transport: RealtimeTransport = 'h1';
  /** When its credentials expire (epoch ms), if they do. */
  expiresAt?: number;
  /** Last frame other than a heartbeat, for the idle timeout. */
  lastActiveAt = this.connectedAt;
  framesIn = 0;
  bytesIn = 0;
  framesOut = 0;
  bytesOut = 0;
  /** The code the server released the connection with, once it did. */
  closeCode?: number;
  private closing = false;
  private closeTimer?: NodeJS.Timeout;
  private outbound = NO_OUTBOUND_LIMIT;
  /** The TCP socket framed bytes go straight to, when `ws` need not frame them itself. */
  private readonly directTarget: Duplex | undefined;
  /** `@SubscribeMessage` handlers of the application's gateways, bound to this connection; none until one is. */
  private appHandlers?: Map<string, AppHandler>;

  /**
   * The upgrade request is not kept (it would hold its headers for the connection's life): what the
   * application needs of it goes into the claims at `authenticate`, or is read by a middleware.
   */
  constructor(
    readonly id: string,
    readonly clientId: string,
    readonly claims: Record<string, unknown>,
    readonly socket: WebSocket,
  ) {
    (socket as unknown as Record<symbol, RealtimeConnection>)[CONNECTION] = this;
    this.directTarget = FrameWriter.directTarget(socket);
  }

  /** Its last state changes, oldest first (see `state.historySize`); read it, do not change it. */
  get stateHistory(): ConnectionStateChange[] {
    const changes = this.changes;
    if (changes === undefined) return [];
    if (!Array.isArray(changes)) return [changes];
    return changes;
  }

  /** Its last state change: the one that put it in its current state. */
  get lastStateChange(): ConnectionStateChange | undefined {
    const changes = this.changes;
    return Array.isArray(changes) ? changes[changes.length - 1] : changes;
  }

  /** @internal Records a state change (by `ConnectionStateService`), keeping the last `historySize`. */
  recordStateChange(change: ConnectionStateChange, historySize: number): void {
    const changes = this.changes;
    if (changes === undefined) this.changes = change;
    else if (!Array.isArray(changes)) this.changes = [changes, change];
    else changes.push(change);
    const history = this.changes;
    if (Array.isArray(history) && history.length > historySize) history.shift();
  }

  /** Binds an application handler (`@SubscribeMessage`) of a gateway to this connection. */
  bindAppHandler(event: string, handler: AppHandler): void {
    (this.appHandlers ??= new Map()).set(event, handler);
  }

  appHandler(event: string): AppHandler | undefined {
    return this.appHandlers?.get(event);
  }

  /** The connection a socket belongs to, for code that holds the raw `ws` client. */
  static of(socket: unknown): RealtimeConnection | undefined {
    return (socket as Record<symbol, RealtimeConnection> | undefined)?.[CONNECTION];
  }

  /** The encoding its frames go in: JSON here, MessagePack for a `MsgpackConnection`. */
  get encoding(): FrameEncoding {
    return 'json';
  }

  get isOpen(): boolean {
    return !this.closing && this.socket.readyState === WebSocket.OPEN;
  }

  /**
   * The one place outbound bytes are written. A frame that would take the bytes waiting for this socket
   * past the limit is not queued (an empty queue takes any frame) and the connection is handed to
   * the slow-consumer handler.
   */
  send(frame: Buffer): boolean {
    return this.sendEncoded(frame, false);
  }

  /** Writes a frame already in this connection's encoding (see `send`); `binary` for the MessagePack one. */
  protected sendEncoded(frame: Buffer, binary: boolean): boolean {
    if (!this.isOpen) return false;
    const pending = this.socket.bufferedAmount;
    if (pending > 0 && pending + frame.length > this.outbound.maxPendingBytes) {
      this.outbound.onSlowConsumer?.(this);
      return false;
    }
    FrameWriter.shared.write(this.socket, this.directTarget, frame, binary);
    this.framesOut++;
    this.bytesOut += frame.length;
    return true;
  }

  /** Caps the bytes waiting to be written; `onSlowConsumer` runs when a frame would go past it. */
  limitOutbound(maxPendingBytes: number, onSlowConsumer: (connection: RealtimeConnection) => void): void {
    if (lastOutboundLimit.maxPendingBytes !== maxPendingBytes || lastOutboundLimit.onSlowConsumer !== onSlowConsumer) {
      lastOutboundLimit = { maxPendingBytes, onSlowConsumer };
    }
    this.outbound = lastOutboundLimit;
  }

  sendFrame(event: string, data?: unknown): boolean {
    return this.send(encodeFrame(event, data));
  }

  reply(ref: string, result: unknown): boolean {
    return this.send(encodeFrame(ProtocolEvent.Reply, { ok: true, result: result ?? null }, ref));
  }

  /** A failed frame: a `reply` when it carried a ref, an `error` frame otherwise. */
  fail(error: ErrorBody, ref?: string, event?: string): boolean {
    countErrorSent(error.code);
    if (ref !== undefined) return this.send(encodeFrame(ProtocolEvent.Reply, { ok: false, error }, ref));
    return this.send(encodeFrame(ProtocolEvent.Error, event === undefined ? error : { ...error, event }));
  }

  touch(): void {
    this.lastSeenAt = Date.now();
  }

  /** Starts the close handshake; a peer that does not answer within the grace period is cut off. */
  close(code: number, reason = ''): void {
    if (this.closing) return;
    this.closing = true;
    if (this.socket.readyState === WebSocket.CLOSED) return;
    this.closeTimer = setTimeout(() => this.socket.terminate(), CLOSE_GRACE_MS);
    this.closeTimer.unref();
    // Listened for only once closing: a listener per open connection would be memory for nothing.
    this.socket.once('close', () => clearTimeout(this.closeTimer));
    this.socket.close(code, closeReason(reason));
  }

  /** Whether the server started closing it (frames still arriving from the client are moot). */
  get isClosedByServer(): boolean {
    return this.closing;
  }

  get isClosing(): boolean {
    return this.closing || this.socket.readyState >= WebSocket.CLOSING;
  }
}
