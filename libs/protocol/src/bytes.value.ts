/**
 * The reserved key of bytes in the JSON form: `{"$bytes": "<base64>"}`, an object with this one key.
 * MessagePack carries bytes as `bin`; JSON frames (and the server inside) carry them in this form.
 */
export const BYTES_KEY = '$bytes';

/** Bytes in the JSON form (docs/protocol.md, "Encodings"). */
export interface BytesValue {
  $bytes: string;
}

/** What this file uses of Node's Buffer, found at run time: the package also runs (and type-checks) in browsers. */
interface NodeBuffer {
  from(data: ArrayBufferLike, offset: number, length: number): { toString(encoding: 'base64'): string };
  from(data: string, encoding: 'base64'): Uint8Array;
}
const NodeBuffer = (globalThis as { Buffer?: NodeBuffer }).Buffer;

/** Bytes in their JSON form. */
export function toBytesValue(bytes: Uint8Array): BytesValue {
  if (NodeBuffer) return { $bytes: NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64') };
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return { $bytes: btoa(binary) };
}

/** Whether a value is bytes in their JSON form: a plain object whose only key is `$bytes`, a string. */
export function isBytesValue(value: unknown): value is BytesValue {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const bytes = (value as Record<string, unknown>)[BYTES_KEY];
  if (typeof bytes !== 'string') return false;
  for (const key in value) if (key !== BYTES_KEY) return false;
  return true;
}

/**
 * The bytes a payload carries, whichever form they arrived in: a Uint8Array (a Buffer in Node) as it is,
 * `{"$bytes": "<base64>"}` decoded; undefined for anything else.
 */
export function bytesOf(value: unknown): Uint8Array | undefined {
  if (value instanceof Uint8Array) return value;
  if (!isBytesValue(value)) return undefined;
  if (NodeBuffer) return NodeBuffer.from(value.$bytes, 'base64');
  const binary = atob(value.$bytes);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
