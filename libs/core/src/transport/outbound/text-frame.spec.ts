import { encodeBinaryFrame, encodeTextFrame } from './text-frame';

describe('encodeTextFrame', () => {
  const payload = (length: number) => Buffer.alloc(length, 'a');

  it.each([
    [0, [0x81, 0]],
    [125, [0x81, 125]],
    [126, [0x81, 126, 0, 126]],
    [65535, [0x81, 126, 0xff, 0xff]],
    [65536, [0x81, 127, 0, 0, 0, 0, 0, 1, 0, 0]],
  ])('frames %i bytes with the header RFC 6455 gives that length', (length, header) => {
    const frame = encodeTextFrame(payload(length));

    expect([...frame.subarray(0, header.length)]).toEqual(header);
    expect(frame.length).toBe(header.length + length);
    expect(frame.subarray(header.length).equals(payload(length))).toBe(true);
  });
});

describe('encodeBinaryFrame', () => {
  it('frames a MessagePack payload with the binary opcode', () => {
    const frame = encodeBinaryFrame(Buffer.from([0x81, 0xa1, 0x61, 0x01]));

    expect([...frame]).toEqual([0x82, 4, 0x81, 0xa1, 0x61, 0x01]);
  });
});
