/** FIN + the text opcode: a whole message in one frame (RFC 6455 §5.2). */
const FIN_TEXT = 0x81;
/** FIN + the binary opcode (the MessagePack encoding). */
const FIN_BINARY = 0x82;

/**
 * A server-to-client WebSocket text frame (unmasked, one fragment) around an encoded payload, in one
 * buffer. The same bytes are valid on every connection that negotiated no extension, so a broadcast
 * frames its payload once for all of them.
 */
export function encodeTextFrame(payload: Buffer): Buffer {
  return encodeDataFrame(FIN_TEXT, payload);
}

/** The same as `encodeTextFrame` for a binary payload. */
export function encodeBinaryFrame(payload: Buffer): Buffer {
  return encodeDataFrame(FIN_BINARY, payload);
}

function encodeDataFrame(first: number, payload: Buffer): Buffer {
  const length = payload.length;
  const header = length < 126 ? 2 : length < 65536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(header + length);
  frame[0] = first;
  if (header === 2) {
    frame[1] = length;
  } else if (header === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
  payload.copy(frame, header);
  return frame;
}
