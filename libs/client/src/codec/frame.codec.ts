import { RealtimeError } from '../error/realtime.error';
import { ClientMessages } from '../error/client.messages';
import {
  decodeMsgpack,
  encodeMsgpack,
  type Frame,
  type FrameEncoding,
  JSON_SUBPROTOCOL,
  MAX_EVENT_LENGTH,
  MSGPACK_SUBPROTOCOL,
} from '@nest-realtime/protocol';

/** An encoded frame as it goes on the socket: JSON text, or MessagePack bytes. */
export type WireFrame = string | Uint8Array;

/** One encoding of the protocol, as the client speaks it. */
export interface FrameCodec {
  readonly encoding: FrameEncoding;
  /** The subprotocol the client offers for it. */
  readonly subprotocol: string;
  /** Encodes a frame; throws `invalid` (and sends nothing) when the data cannot be encoded. */
  encode(event: string, data?: unknown, ref?: string): WireFrame;
  /** Reads a frame from the server; null when it is not a frame object with an event. */
  decode(wire: WireFrame): Frame | null;
}

/** Nesting the client accepts from the server: well past the server's own limit on what it relays. */
const MAX_INBOUND_DEPTH = 512;

/** Throws `invalid` for an event name the server would refuse. */
export function assertEventName(event: unknown): asserts event is string {
  if (typeof event !== 'string' || event.length === 0 || event.length > MAX_EVENT_LENGTH) {
    throw new RealtimeError('invalid', ClientMessages.badEventName(event, MAX_EVENT_LENGTH));
  }
}

/** Encodes a frame as JSON text; throws `invalid` (and sends nothing) when the data cannot be JSON. */
export function encodeFrame(event: string, data?: unknown, ref?: string): string {
  const frame: Frame = ref === undefined ? { event, data } : { event, data, ref };
  try {
    return JSON.stringify(frame);
  } catch (error) {
    throw new RealtimeError('invalid', ClientMessages.notJson(event, error));
  }
}

/** Reads a frame from the server; null when the text is not a frame object with an event. */
export function decodeFrame(text: string): Frame | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  return toFrame(value);
}

function toFrame(value: unknown): Frame | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  const { event, data, ref } = value as Record<string, unknown>;
  if (typeof event !== 'string' || event.length === 0) return null;
  return typeof ref === 'string' ? { event, data, ref } : { event, data };
}

const JSON_CODEC: FrameCodec = {
  encoding: 'json',
  subprotocol: JSON_SUBPROTOCOL,
  encode: encodeFrame,
  decode: (wire) => decodeFrame(typeof wire === 'string' ? wire : new TextDecoder().decode(wire)),
};

/** MessagePack maps in binary frames; a Uint8Array in the data goes as `bin` and comes back as a Uint8Array. */
const MSGPACK_CODEC: FrameCodec = {
  encoding: 'msgpack',
  subprotocol: MSGPACK_SUBPROTOCOL,
  encode(event, data, ref) {
    const frame: Frame = ref === undefined ? { event, data } : { event, data, ref };
    try {
      return encodeMsgpack(frame);
    } catch (error) {
      throw new RealtimeError('invalid', ClientMessages.notMsgpack(event, error));
    }
  },
  decode(wire) {
    if (typeof wire === 'string') return decodeFrame(wire);
    try {
      return toFrame(decodeMsgpack(wire, { maxDepth: MAX_INBOUND_DEPTH, bin: 'bytes' }));
    } catch {
      return null;
    }
  },
};

/** The codec of an encoding. */
export function frameCodec(encoding: FrameEncoding): FrameCodec {
  return encoding === 'msgpack' ? MSGPACK_CODEC : JSON_CODEC;
}
