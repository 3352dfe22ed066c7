import { constants, inflateRawSync } from 'zlib';
import { deflateMessage, encodeDeflatedFrame } from './deflated-frame';

describe('deflateMessage and encodeDeflatedFrame', () => {
  const payload = Buffer.from(JSON.stringify({ event: 'channel:message', data: { text: 'hello '.repeat(500) } }));

  it('compresses a message that inflates back to the payload once 00 00 ff ff is appended (RFC 7692 §7.2.2)', () => {
    const deflated = deflateMessage(payload, { level: 3, windowBits: 15 });

    expect(deflated.length).toBeLessThan(payload.length / 10);
    expect([...deflated.subarray(-4)]).not.toEqual([0x00, 0x00, 0xff, 0xff]);
    expect(inflateRawSync(Buffer.concat([deflated, Buffer.from([0x00, 0x00, 0xff, 0xff])]), { finishFlush: constants.Z_SYNC_FLUSH }).equals(payload)).toBe(true);
  });

  it('compresses within the window the connection negotiated', () => {
    const deflated = deflateMessage(payload, { level: 9, windowBits: 9 });

    const inflated = inflateRawSync(Buffer.concat([deflated, Buffer.from([0x00, 0x00, 0xff, 0xff])]), { windowBits: 9, finishFlush: constants.Z_SYNC_FLUSH });
    expect(inflated.equals(payload)).toBe(true);
  });

  it('frames it as one text frame with FIN and RSV1 set', () => {
    const deflated = deflateMessage(payload, { level: 3 });
    const frame = encodeDeflatedFrame(deflated);

    expect(frame[0]).toBe(0xc1);
    expect(frame[1]).toBe(deflated.length);
    expect(frame.subarray(2).equals(deflated)).toBe(true);
  });

  it('frames a binary message (MessagePack) with the binary opcode, RSV1 set', () => {
    expect(encodeDeflatedFrame(deflateMessage(payload, { level: 3 }), true)[0]).toBe(0xc2);
  });
});
