import { encode } from '@msgpack/msgpack';
import { bytesOf, toBytesValue } from './bytes.value';
import { decodeMsgpack, encodeMsgpack, encodeMsgpackFromJson, MsgpackReadError } from './msgpack.codec';

const AS_SERVER = { maxDepth: 32, bin: 'json' } as const;
const AS_CLIENT = { maxDepth: 32, bin: 'bytes' } as const;

function refused(bytes: Uint8Array, maxDepth = 32): string {
  try {
    decodeMsgpack(bytes, { maxDepth, bin: 'json', maxBytes: 1024 });
  } catch (error) {
    expect(error).toBeInstanceOf(MsgpackReadError);
    return (error as Error).message;
  }
  throw new Error('expected the bytes to be refused');
}

describe('msgpack codec', () => {
  it('round-trips a frame as a map', () => {
    const frame = { event: 'channel:publish', data: { channel: 'room:1', payload: { n: 1.5, ok: true, list: [null, 'x'] } }, ref: '7' };

    expect(decodeMsgpack(encodeMsgpack(frame), AS_CLIENT)).toEqual(frame);
  });

  it('leaves undefined fields out, as JSON does', () => {
    expect(decodeMsgpack(encodeMsgpack({ event: 'x', data: undefined }), AS_CLIENT)).toEqual({ event: 'x' });
  });

  it('sends a Date as JSON would', () => {
    expect(decodeMsgpack(encodeMsgpack({ at: new Date(0) }), AS_CLIENT)).toEqual({ at: '1970-01-01T00:00:00.000Z' });
  });

  it('carries bytes as bin: the same bytes for a client, the $bytes form for the server', () => {
    const bytes = new Uint8Array([0, 1, 254, 255]);
    const wire = encodeMsgpack({ payload: bytes });

    expect(decodeMsgpack(wire, AS_CLIENT)).toEqual({ payload: bytes });
    expect(decodeMsgpack(wire, AS_SERVER)).toEqual({ payload: { $bytes: 'AAH+/w==' } });
  });

  it('turns the JSON form of bytes back into bin when it translates JSON', () => {
    const wire = encodeMsgpackFromJson('{"event":"channel:message","data":{"payload":{"img":{"$bytes":"AAH+/w=="}}}}');

    expect(decodeMsgpack(wire, AS_CLIENT)).toEqual({ event: 'channel:message', data: { payload: { img: new Uint8Array([0, 1, 254, 255]) } } });
  });

  it('keeps an object with more keys than $bytes as an object', () => {
    const wire = encodeMsgpackFromJson('{"$bytes":"AA==","other":1}');

    expect(decodeMsgpack(wire, AS_CLIENT)).toEqual({ $bytes: 'AA==', other: 1 });
  });

  it('reads bytes in either form', () => {
    const bytes = new Uint8Array([9, 8, 7]);

    expect(bytesOf(bytes)).toBe(bytes);
    expect([...bytesOf(toBytesValue(bytes))!]).toEqual([9, 8, 7]);
    expect(bytesOf({ $bytes: 1 })).toBeUndefined();
  });

  it('refuses bytes that are not MessagePack', () => {
    expect(refused(new Uint8Array([0xc1]))).toMatch(/not valid MessagePack/);
    expect(refused(new Uint8Array([]))).toMatch(/not valid MessagePack/);
  });

  it('refuses a truncated frame and trailing bytes', () => {
    const wire = encode({ event: 'x', data: 'hello' });

    expect(refused(wire.subarray(0, wire.length - 2))).toMatch(/not valid MessagePack/);
    expect(refused(new Uint8Array([...wire, 0]))).toMatch(/not valid MessagePack/);
  });

  it('refuses a map or array that claims more entries than the frame holds', () => {
    expect(refused(new Uint8Array([0xdf, 0xff, 0xff, 0xff, 0xff]))).toMatch(/not valid MessagePack/);
    expect(refused(new Uint8Array([0xdd, 0xff, 0xff, 0xff, 0xff]))).toMatch(/not valid MessagePack/);
    expect(refused(new Uint8Array([0xc6, 0xff, 0xff, 0xff, 0xff]))).toMatch(/not valid MessagePack/);
  });

  it('refuses a length past maxBytes before reading on, and one past the end of the frame without it', () => {
    const longString = Uint8Array.of(0xdb, 0, 0, 0x10, 0, 0x61);

    expect(refused(longString)).toMatch(/Max length exceeded/i);
    expect(() => decodeMsgpack(longString, { maxDepth: 8, bin: 'json' })).toThrow(/Insufficient data/i);
  });

  it('refuses keys that are not strings, extension types and non-finite numbers', () => {
    expect(refused(new Uint8Array([0x81, 0x01, 0xa1, 0x61]))).toMatch(/map key must be a string/);
    expect(refused(encode({ at: new Date(0) }))).toMatch(/extension type/);
    expect(refused(new Uint8Array([0xd4, 0x05, 0x00]))).toMatch(/extension type/);
    expect(refused(encode({ n: NaN }))).toMatch(/finite/);
  });

  it('refuses nesting deeper than maxDepth, and takes nesting as deep', () => {
    const nested = (levels: number) => new Uint8Array([...new Array(levels - 1).fill(0x91), 0x90]);

    expect(decodeMsgpack(nested(4), { maxDepth: 4, bin: 'json' })).toEqual([[[[]]]]);
    expect(refused(nested(5), 4)).toMatch(/deeper than 4 levels/);
    expect(refused(nested(100_000))).toMatch(/deeper than 32 levels/);
  });
});
