import { Decoder, Encoder } from '@msgpack/msgpack';
import { BYTES_KEY, bytesOf, isBytesValue, toBytesValue } from './bytes.value';

/** How a MessagePack frame is read. */
export interface MsgpackReadOptions {
  /** Maps and arrays may nest this many levels, the frame's own map included. */
  maxDepth: number;
  /**
   * What `bin` becomes: `'bytes'` a Uint8Array (a client), `'json'` the JSON form `{"$bytes": "<base64>"}`
   * (the server, whose frames are JSON inside).
   */
  bin: 'bytes' | 'json';
  /**
   * The largest frame the reader takes (the server's `maxFrameBytes`): no string, `bin`, array or map may
   * claim more, so that a forged length is refused before anything is allocated for it. Default: no bound
   * but the frame itself (a length past the frame's end is refused as truncated).
   */
  maxBytes?: number;
}

/** A binary frame that is not a MessagePack value the protocol can carry; the message says why. */
export class MsgpackReadError extends Error {
  override readonly name = 'MsgpackReadError';
}

// As deep as the client reads (a server's limits.maxDepth is far below).
const encoder = new Encoder({ ignoreUndefined: true, maxDepth: 512 });

/** Map keys are strings, as in JSON: any other key makes the frame unreadable. */
function stringKey(key: unknown): string {
  if (typeof key !== 'string') throw new MsgpackReadError(`A map key must be a string, not a ${typeof key}.`);
  return key;
}

const UNBOUNDED = 0xffffffff;

/** One decoder per size limit (a server has one, a client none): the limits are the decoder's. */
const decoders = new Map<number, Decoder>();
function decoderFor(maxBytes: number): Decoder {
  let decoder = decoders.get(maxBytes);
  if (!decoder) {
    if (decoders.size >= 8) decoders.clear();
    decoder = new Decoder({
      maxStrLength: maxBytes,
      maxBinLength: maxBytes,
      maxArrayLength: maxBytes,
      maxMapLength: Math.floor(maxBytes / 2),
      maxExtLength: maxBytes,
      mapKeyConverter: stringKey,
    });
    decoders.set(maxBytes, decoder);
  }
  return decoder;
}

/**
 * Encodes a value as MessagePack: Uint8Arrays and the JSON form of bytes (`{"$bytes": …}`) both as `bin`,
 * undefined fields left out (as JSON does).
 */
export function encodeMsgpack(value: unknown): Uint8Array {
  return encoder.encode(binaries(value));
}

/**
 * Encodes the JSON text of a frame as MessagePack (the server's translation of its JSON frames); only a
 * text that mentions the bytes key is searched for bytes to turn into `bin`.
 */
export function encodeMsgpackFromJson(json: string): Uint8Array {
  const value: unknown = JSON.parse(json);
  return encoder.encode(json.includes(`"${BYTES_KEY}"`) ? binaries(value) : value);
}

/**
 * Decodes one MessagePack frame into a value JSON could carry (plus bytes, see `bin`); throws
 * `MsgpackReadError` for bytes that are not one such value, or nest deeper than `maxDepth`.
 */
export function decodeMsgpack(bytes: Uint8Array, options: MsgpackReadOptions): unknown {
  let value: unknown;
  try {
    value = decoderFor(options.maxBytes ?? UNBOUNDED).decode(bytes);
  } catch (error) {
    if (error instanceof MsgpackReadError) throw error;
    throw new MsgpackReadError(`The frame is not valid MessagePack: ${(error as Error).message}`);
  }
  return readValue(value, 0, options);
}

/** Checks a decoded value and puts its bytes in the form asked for; copies only what it changes. */
function readValue(value: unknown, depth: number, options: MsgpackReadOptions): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (!Number.isFinite(value)) throw new MsgpackReadError('A number must be finite.');
      return value;
    case 'object': {
      if (value === null) return value;
      if (value instanceof Uint8Array) return options.bin === 'json' ? toBytesValue(value) : value;
      if (depth >= options.maxDepth) throw new MsgpackReadError(`The frame nests maps and arrays deeper than ${options.maxDepth} levels.`);
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) value[i] = readValue(value[i], depth + 1, options);
        return value;
      }
      if (Object.getPrototypeOf(value) !== Object.prototype) throw new MsgpackReadError('The frame holds an extension type; only maps, arrays, strings, numbers, booleans, nil and bin are accepted.');
      const record = value as Record<string, unknown>;
      for (const key in record) record[key] = readValue(record[key], depth + 1, options);
      return record;
    }
    default:
      throw new MsgpackReadError(`The frame holds a ${typeof value}, which the protocol cannot carry.`);
  }
}

/** The value with its `{"$bytes": …}` objects as Uint8Arrays; the same object when it has none. */
function binaries(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return value;
  if (isBytesValue(value)) return bytesOf(value);
  // A Date and the like go as JSON would send them.
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return binaries(toJSON.call(value));
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item = binaries(value[i]);
      if (item !== value[i]) (copy ??= value.slice())[i] = item;
    }
    return copy ?? value;
  }
  let copy: Record<string, unknown> | undefined;
  const record = value as Record<string, unknown>;
  for (const key in record) {
    const item = binaries(record[key]);
    if (item !== record[key]) (copy ??= { ...record })[key] = item;
  }
  return copy ?? value;
}
