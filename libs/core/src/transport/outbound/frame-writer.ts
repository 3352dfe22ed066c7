import type { Duplex } from 'stream';
import type { WebSocket } from 'ws';
import { encodeBinaryFrame, encodeTextFrame } from './text-frame';
import { LEAVE_TO_WS, PER_MESSAGE_DEFLATE, SEND_PLAIN, SharedDeflater, sharedDeflateOf } from './shared-deflate';

/** Bytes waiting in a corked socket at which it is written at once rather than at the end of the tick. */
const FLUSH_AT_BYTES = 16 * 1024;

/** What this writer relies on inside a server-side `ws` 8 socket (lib/websocket.js, lib/sender.js). */
interface WsInternals {
  _socket?: Duplex;
  _sender?: { _bufferedBytes?: unknown; _extensions?: Record<string, object | undefined> };
}

/**
 * Writes encoded frames to `ws` sockets the cheap way. A payload is framed once per tick however many
 * sockets it goes to, and the framed bytes go straight to each TCP socket, corked until the end of the
 * tick (or until 16 KiB wait in it): a burst of frames to one socket leaves in one write. Only for
 * sockets with nothing in `ws`'s own send queue, so that the order of frames on a socket never changes;
 * any other socket gets `ws.send`. Sockets with permessage-deflate without context takeover get the same
 * treatment: a payload is compressed once per tick for all of them (`SharedDeflater`), when it pays.
 * A payload must not change once handed over, as with `ws.send`, which writes the buffer itself.
 */
export class FrameWriter {
  /** The one writer of the process: every connection's writes of one tick share its flush. */
  static readonly shared = new FrameWriter();

  private lastPayload?: Buffer;
  private lastFrame?: Buffer;
  private corked: Duplex[] = [];
  private readonly deflater = new SharedDeflater();
  private flushing = false;

  /**
   * The TCP socket frames of this `ws` socket may be written to directly, or undefined when they must go
   * through `ws.send`: compression was negotiated with context takeover (each socket compresses with a
   * context of its own), or this `ws` keeps its internals elsewhere than version 8 does.
   */
  static directTarget(socket: WebSocket): Duplex | undefined {
    const { _socket: target, _sender: sender } = socket as unknown as WsInternals;
    if (typeof sender?._bufferedBytes !== 'number') return undefined;
    if (socket.extensions !== '' && !FrameWriter.sharesDeflate(sender._extensions)) return undefined;
    return typeof target?.write === 'function' && typeof target.cork === 'function' ? target : undefined;
  }

  /** Whether the only extension is permessage-deflate, with messages this writer can compress for many sockets. */
  private static sharesDeflate(extensions: Record<string, object | undefined> | undefined): boolean {
    const extension = extensions?.[PER_MESSAGE_DEFLATE];
    return extension !== undefined && Object.keys(extensions!).length === 1 && sharedDeflateOf(extension) !== null;
  }

  /**
   * Writes one encoded frame (its JSON, or its MessagePack when `binary`) to an open socket; `target` is
   * `directTarget(socket)`.
   */
  write(socket: WebSocket, target: Duplex | undefined, payload: Buffer, binary = false): void {
    const sender = (socket as unknown as WsInternals)._sender!;
    // Something waiting in ws's queue (a compressed or blob message) must go out first: ws orders it.
    if (target === undefined || sender._bufferedBytes !== 0) {
      socket.send(payload, { binary });
      return;
    }
    const extension = sender._extensions![PER_MESSAGE_DEFLATE];
    const deflated = extension === undefined ? SEND_PLAIN : this.deflater.frameOf(payload, sharedDeflateOf(extension)!, binary);
    if (deflated === LEAVE_TO_WS) {
      socket.send(payload, { binary });
      return;
    }
    if (target.writableCorked === 0) {
      target.cork();
      this.corked.push(target);
      if (!this.flushing) {
        this.flushing = true;
        setImmediate(this.flush);
      }
    }
    target.write(deflated === SEND_PLAIN ? this.frameOf(payload, binary) : deflated);
    // Corking saves a write per small frame; with this much waiting, holding it back only delays it.
    if (target.writableLength >= FLUSH_AT_BYTES && target.writableCorked > 0) target.uncork();
  }

  /** A payload is always sent with the same opcode (JSON text, MessagePack binary): its identity is the key. */
  private frameOf(payload: Buffer, binary: boolean): Buffer {
    if (payload !== this.lastPayload) {
      this.lastPayload = payload;
      this.lastFrame = binary ? encodeBinaryFrame(payload) : encodeTextFrame(payload);
    }
    return this.lastFrame!;
  }

  /** End of the tick: every corked socket writes what it got at once; the frame cache is let go. */
  private readonly flush = (): void => {
    const corked = this.corked;
    this.corked = [];
    this.flushing = false;
    this.lastPayload = this.lastFrame = undefined;
    this.deflater.forget();
    for (const target of corked) target.uncork();
  };
}
