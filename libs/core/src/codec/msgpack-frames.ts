import { encodeMsgpackFromJson } from '@nest-realtime/protocol';

let lastJson: Buffer | undefined;
let lastPacked: Buffer | null = null;

/**
 * The MessagePack form of an encoded JSON frame, or null for one MessagePack cannot carry (nested past
 * what the encoder takes, far beyond any `limits.maxDepth` in use). A broadcast hands the same Buffer
 * to each member in turn: the last translation is kept by Buffer identity, so a frame is translated
 * once for all of its MessagePack members (a frame must not change once encoded, see `FrameWriter`).
 */
export function msgpackFrameOf(json: Buffer): Buffer | null {
  if (json !== lastJson) {
    lastJson = json;
    try {
      const packed = encodeMsgpackFromJson(json.toString());
      lastPacked = Buffer.from(packed.buffer, packed.byteOffset, packed.byteLength);
    } catch {
      lastPacked = null;
    }
  }
  return lastPacked;
}
