/** One message of a node bus: `<kind><key length in bytes>:<key><payload>` (see redis.scripts.ts). */
export interface BusMessage {
  kind: string;
  key: string;
  payload: Buffer;
}

const COLON = 0x3a;

/** Reads a bus message without copying its payload; undefined for anything malformed. */
export function decodeBusMessage(message: Buffer): BusMessage | undefined {
  const colon = message.indexOf(COLON, 1);
  if (colon < 2) return undefined;
  const length = Number(message.toString('latin1', 1, colon));
  const keyEnd = colon + 1 + length;
  if (!Number.isInteger(length) || keyEnd > message.length) return undefined;
  return { kind: String.fromCharCode(message[0]), key: message.toString('utf8', colon + 1, keyEnd), payload: message.subarray(keyEnd) };
}

export function encodeBusMessage(kind: string, key: string, payload: string | Buffer = ''): Buffer {
  const keyBytes = Buffer.from(key);
  return Buffer.concat([Buffer.from(`${kind}${keyBytes.length}:`), keyBytes, typeof payload === 'string' ? Buffer.from(payload) : payload]);
}
