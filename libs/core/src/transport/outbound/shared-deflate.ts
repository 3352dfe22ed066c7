import type { ZlibOptions } from 'zlib';
import { CompressionPolicy } from './compression.policy';
import { deflateMessage, encodeDeflatedFrame } from './deflated-frame';

/** The extension's name in `ws`'s table of negotiated extensions. */
export const PER_MESSAGE_DEFLATE = 'permessage-deflate';

/**
 * Largest payload compressed once on the event loop for all the sockets it goes to. Measured with
 * zlib level 3 (see docs/protocol.md): JSON of 64 KiB takes about 0.2 ms, text that hardly compresses
 * (base64 of random bytes) 1.5 to 3 ms. Larger payloads go through `ws.send`, which deflates each
 * socket's copy on zlib's thread pool.
 */
export const MOST_DEFLATED_IN_LOOP = 64 * 1024;

/** What a compressed message depends on besides its payload: sockets that share one share its bytes. */
export interface SharedDeflate {
  /** Payloads smaller than this go out uncompressed (the `compression.threshold` option). */
  readonly threshold: number;
  readonly zlib: ZlibOptions;
}

/** What is read of a server-side `ws` 8 PerMessageDeflate (lib/permessage-deflate.js). */
interface PerMessageDeflateInternals {
  _isServer?: boolean;
  _threshold?: number;
  _options?: { zlibDeflateOptions?: ZlibOptions };
  params?: { server_no_context_takeover?: boolean; server_max_window_bits?: number | boolean } | null;
}

const byExtension = new WeakMap<object, SharedDeflate | null>();
const interned = new Map<string, SharedDeflate>();

/**
 * The settings a socket's negotiated permessage-deflate compresses with, or null when its messages cannot
 * be shared: with context takeover each message depends on the messages before it on that socket, and
 * zlib's raw deflate has no window smaller than 9 bits.
 */
export function sharedDeflateOf(extension: object): SharedDeflate | null {
  let shared = byExtension.get(extension);
  if (shared !== undefined) return shared;
  const { _isServer, _threshold, _options, params } = extension as PerMessageDeflateInternals;
  const windowBits = typeof params?.server_max_window_bits === 'number' ? params.server_max_window_bits : 15;
  shared = null;
  if (_isServer === true && params?.server_no_context_takeover === true && typeof _threshold === 'number' && windowBits >= 9) {
    const candidate: SharedDeflate = { threshold: _threshold, zlib: { ..._options?.zlibDeflateOptions, windowBits } };
    const key = JSON.stringify(candidate);
    shared = interned.get(key) ?? candidate;
    interned.set(key, shared);
  }
  byExtension.set(extension, shared);
  return shared;
}

/** Send the payload's ordinary frame: under the threshold, or compressing it does not pay. */
export const SEND_PLAIN = 0;
/** Hand the payload to `ws.send`: too large to compress on the event loop. */
export const LEAVE_TO_WS = 1;
export type DeflateOutcome = Buffer | typeof SEND_PLAIN | typeof LEAVE_TO_WS;

/**
 * Compresses a payload once for every socket of the tick that shares its deflate settings (the frame
 * writer calls it per socket; the first call deflates, the others read the cache), and decides whether
 * it pays: at least the threshold, and compressed to at most 0.9 of its size (`CompressionPolicy`).
 */
export class SharedDeflater {
  private payload?: Buffer;
  private readonly outcomes = new Map<SharedDeflate, Buffer | typeof SEND_PLAIN>();

  constructor(private readonly policy = new CompressionPolicy()) {}

  /** A payload is always sent with the same opcode (JSON text, MessagePack binary), as the writer assumes. */
  frameOf(payload: Buffer, deflate: SharedDeflate, binary = false): DeflateOutcome {
    if (payload.length < deflate.threshold) return SEND_PLAIN;
    if (payload.length > MOST_DEFLATED_IN_LOOP) return LEAVE_TO_WS;
    if (payload !== this.payload) {
      this.payload = payload;
      this.outcomes.clear();
    }
    let outcome = this.outcomes.get(deflate);
    if (outcome === undefined) {
      outcome = this.deflate(payload, deflate, binary);
      this.outcomes.set(deflate, outcome);
    }
    return outcome;
  }

  /** Lets go of the cached frame (end of the tick, as the writer does with its own). */
  forget(): void {
    this.payload = undefined;
    this.outcomes.clear();
  }

  private deflate(payload: Buffer, deflate: SharedDeflate, binary: boolean): Buffer | typeof SEND_PLAIN {
    if (!this.policy.shouldTry(payload.length)) return SEND_PLAIN;
    const deflated = deflateMessage(payload, deflate.zlib);
    return this.policy.record(payload.length, deflated.length) ? encodeDeflatedFrame(deflated, binary) : SEND_PLAIN;
  }
}
