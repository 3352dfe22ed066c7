import type { FrameEncoding } from '@nest-realtime/protocol';
import { msgpackFrameOf } from '../../codec/msgpack-frames';
import { RealtimeConnection } from './realtime-connection';

/**
 * A connection that negotiated `realtime.v1.msgpack`: the native protocol in binary frames. The core
 * encodes every frame as JSON, as for any connection; `send` writes it as MessagePack, translated once
 * per frame however many members it goes to.
 */
export class MsgpackConnection extends RealtimeConnection {
  override get encoding(): FrameEncoding {
    return 'msgpack';
  }

  override send(frame: Buffer): boolean {
    if (!this.isOpen) return false;
    const packed = msgpackFrameOf(frame);
    // What MessagePack cannot carry goes as the JSON text frame it is: a client reads both.
    return packed ? this.sendEncoded(packed, true) : this.sendEncoded(frame, false);
  }
}
