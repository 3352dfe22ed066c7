import { constants, deflateRawSync, ZlibOptions } from 'zlib';
import { encodeBinaryFrame, encodeTextFrame } from './text-frame';

/** The bit that marks a compressed message (RFC 7692 §6: RSV1 of its first frame). */
const RSV1 = 0x40;
/** The empty stored block a sync flush ends with, which RFC 7692 §7.2.1 has the sender take off. */
const TRAILER = Buffer.from([0x00, 0x00, 0xff, 0xff]);

/**
 * A payload compressed as one permessage-deflate message without context takeover: a fresh raw
 * deflate, flushed with Z_SYNC_FLUSH, minus the trailing `00 00 ff ff`. The same bytes are valid on
 * every connection that negotiated the extension with server_no_context_takeover and these window bits.
 */
export function deflateMessage(payload: Buffer, options: ZlibOptions): Buffer {
  const deflated = deflateRawSync(payload, { ...options, finishFlush: constants.Z_SYNC_FLUSH });
  const end = deflated.length - TRAILER.length;
  return end >= 0 && deflated.subarray(end).equals(TRAILER) ? deflated.subarray(0, end) : deflated;
}

/** A server-to-client text (or binary) frame around a message `deflateMessage` compressed: RSV1 set. */
export function encodeDeflatedFrame(deflated: Buffer, binary = false): Buffer {
  const frame = binary ? encodeBinaryFrame(deflated) : encodeTextFrame(deflated);
  frame[0] |= RSV1;
  return frame;
}
