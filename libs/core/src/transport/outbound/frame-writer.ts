import type { Duplex } from 'stream';
import type { WebSocket } from 'ws';
import { encodeTextFrame } from './text-frame';

/** Bytes waiting in a corked socket at which it is written at once rather than at the end of the tick. */
const FLUSH_AT_BYTES = 16 * 1024;

/** What this writer relies on inside a server-side `ws` 8 socket (lib/websocket.js, lib/sender.js). */
interface WsInternals {
  _socket?: Duplex;
  _sender?: { _bufferedBytes?: unknown };
}

/**
 * Writes encoded frames to `ws` sockets the cheap way. A payload is framed once per tick however many
 * sockets it goes to, and the framed bytes go straight to each TCP socket, corked until the end of the
 * tick (or until 16 KiB wait in it): a burst of frames to one socket leaves in one write. Only for
 * sockets without permessage-deflate and with nothing in `ws`'s own send queue, so that the order of
 * frames on a socket never changes; any other socket gets `ws.send`. A payload must not change once
 * handed over, as with `ws.send`, which writes the buffer itself.
 */
export class FrameWriter {
  /** The one writer of the process: every connection's writes of one tick share its flush. */
  static readonly shared = new FrameWriter();

  private lastPayload?: Buffer;
  private lastFrame?: Buffer;
  private corked: Duplex[] = [];
  private flushing = false;

  /**
   * The TCP socket frames of this `ws` socket may be written to directly, or undefined when they must go
   * through `ws.send`: compression was negotiated (each socket compresses on its own, asynchronously),
   * or this `ws` keeps its internals elsewhere than version 8 does.
   */
  static directTarget(socket: WebSocket): Duplex | undefined {
    const { _socket: target, _sender: sender } = socket as unknown as WsInternals;
    if (socket.extensions !== '' || typeof sender?._bufferedBytes !== 'number') return undefined;
    return typeof target?.write === 'function' && typeof target.cork === 'function' ? target : undefined;
  }

  /** Writes one encoded frame (its JSON) to an open socket; `target` is `directTarget(socket)`. */
  write(socket: WebSocket, target: Duplex | undefined, payload: Buffer): void {
    // Something waiting in ws's queue (a compressed or blob message) must go out first: ws orders it.
    if (target === undefined || (socket as unknown as WsInternals)._sender!._bufferedBytes !== 0) {
      socket.send(payload, { binary: false });
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
    target.write(this.frameOf(payload));
    // Corking saves a write per small frame; with this much waiting, holding it back only delays it.
    if (target.writableLength >= FLUSH_AT_BYTES && target.writableCorked > 0) target.uncork();
  }

  private frameOf(payload: Buffer): Buffer {
    if (payload !== this.lastPayload) {
      this.lastPayload = payload;
      this.lastFrame = encodeTextFrame(payload);
    }
    return this.lastFrame!;
  }

  /** End of the tick: every corked socket writes what it got at once; the frame cache is let go. */
  private readonly flush = (): void => {
    const corked = this.corked;
    this.corked = [];
    this.flushing = false;
    this.lastPayload = this.lastFrame = undefined;
    for (const target of corked) target.uncork();
  };
}
