import { decodeMsgpack } from '@nest-realtime/protocol';
import { encodeFrame } from './frame.codec';
import { msgpackFrameOf } from './msgpack-frames';

describe('msgpackFrameOf', () => {
  it('translates a JSON frame into the same frame as MessagePack, bytes as bin', () => {
    const json = encodeFrame('channel:message', { channel: 'room:1', payload: { blob: { $bytes: 'AAEC' }, n: 1 } });

    expect(decodeMsgpack(msgpackFrameOf(json)!, { maxDepth: 8, bin: 'bytes' })).toEqual({
      event: 'channel:message',
      data: { channel: 'room:1', payload: { blob: new Uint8Array([0, 1, 2]), n: 1 } },
    });
  });

  it('translates a broadcast once for all its members: the same Buffer gets the same bytes', () => {
    const broadcast = encodeFrame('channel:message', { channel: 'room:1', payload: 'hi' });
    const first = msgpackFrameOf(broadcast);

    expect(msgpackFrameOf(broadcast)).toBe(first);
    expect(msgpackFrameOf(Buffer.from(broadcast))).not.toBe(first);
  });

  it('gives null for a frame nested past what MessagePack takes, which then goes as JSON', () => {
    const deep = Buffer.from(`{"event":"x","data":${'['.repeat(600)}${']'.repeat(600)}}`);

    expect(msgpackFrameOf(deep)).toBeNull();
  });
});
