import { decodeMsgpack, type Frame, MAX_EVENT_LENGTH, MAX_REF_LENGTH, MsgpackReadError } from '@nest-realtime/protocol';
import { RealtimeException } from '../errors/realtime.exception';

/** Parses a text frame; throws `bad_frame` for anything that is not a well-formed frame object. */
export function parseFrame(raw: string): Frame {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new RealtimeException('bad_frame', 'The frame is not valid JSON.');
  }
  return toFrame(value);
}

/**
 * Parses a binary frame of the MessagePack encoding into the frame its JSON would be (bytes in their
 * `{"$bytes"}` form); throws `bad_frame` for anything that is not a well-formed frame map.
 */
export function parseBinaryFrame(bytes: Uint8Array, maxDepth: number, maxBytes: number): Frame {
  let value: unknown;
  try {
    value = decodeMsgpack(bytes, { maxDepth, maxBytes, bin: 'json' });
  } catch (error) {
    if (error instanceof MsgpackReadError) throw new RealtimeException('bad_frame', error.message);
    throw error;
  }
  return toFrame(value);
}

function toFrame(value: unknown): Frame {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new RealtimeException('bad_frame', 'A frame must be a JSON object {"event", "data"?, "ref"?}.');
  }
  const { event, data, ref } = value as Record<string, unknown>;
  if (typeof event !== 'string' || event.length === 0 || event.length > MAX_EVENT_LENGTH) {
    throw new RealtimeException('bad_frame', `A frame needs "event": a string of 1 to ${MAX_EVENT_LENGTH} characters.`);
  }
  if (ref !== undefined && (typeof ref !== 'string' || ref.length === 0 || ref.length > MAX_REF_LENGTH)) {
    throw new RealtimeException('bad_frame', `"ref", when present, must be a string of 1 to ${MAX_REF_LENGTH} characters.`);
  }
  return ref === undefined ? { event, data } : { event, data, ref };
}

/** Encodes a frame once, as bytes that can be written to any number of sockets. */
export function encodeFrame(event: string, data?: unknown, ref?: string): Buffer {
  const frame: Frame = ref === undefined ? { event, data } : { event, data, ref };
  return Buffer.from(JSON.stringify(frame));
}
