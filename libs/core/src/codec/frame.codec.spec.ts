import { encodeFrame, parseFrame } from './frame.codec';
import { RealtimeException } from '../errors/realtime.exception';

function badFrame(raw: string): RealtimeException {
  try {
    parseFrame(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(RealtimeException);
    expect((error as RealtimeException).code).toBe('bad_frame');
    return error as RealtimeException;
  }
  throw new Error(`expected ${raw} to be refused`);
}

describe('frame codec', () => {
  describe('parseFrame', () => {
    it('reads event, data and ref', () => {
      expect(parseFrame('{"event":"channel:join","data":{"channel":"room:1"},"ref":"7"}')).toEqual({
        event: 'channel:join',
        data: { channel: 'room:1' },
        ref: '7',
      });
    });

    it('leaves ref out when the frame has none, and ignores unknown fields', () => {
      const frame = parseFrame('{"event":"chat","data":[1,2],"extra":true}');

      expect(frame).toEqual({ event: 'chat', data: [1, 2] });
      expect('ref' in frame).toBe(false);
      expect('extra' in frame).toBe(false);
    });

    it('accepts a frame without data', () => {
      expect(parseFrame('{"event":"connection:ping"}')).toEqual({ event: 'connection:ping', data: undefined });
    });

    it('refuses text that is not JSON', () => {
      expect(badFrame('{"event":').message).toBe('The frame is not valid JSON.');
      badFrame('');
      badFrame('hello');
    });

    it.each(['[]', '[{"event":"x"}]', 'null', '"event"', '42', 'true'])('refuses %s, which is not an object', (raw) => {
      expect(badFrame(raw).message).toBe('A frame must be a JSON object {"event", "data"?, "ref"?}.');
    });

    it.each(['{}', '{"data":1}', '{"event":""}', '{"event":7}', '{"event":null}', `{"event":"${'e'.repeat(129)}"}`])(
      'refuses %s, which has no proper event',
      (raw) => {
        expect(badFrame(raw).message).toBe('A frame needs "event": a string of 1 to 128 characters.');
      },
    );

    it('accepts an event of 128 characters', () => {
      expect(parseFrame(`{"event":"${'e'.repeat(128)}"}`).event).toHaveLength(128);
    });

    it.each(['{"event":"x","ref":7}', '{"event":"x","ref":""}', '{"event":"x","ref":null}', `{"event":"x","ref":"${'r'.repeat(65)}"}`])(
      'refuses %s, which has a bad ref',
      (raw) => {
        expect(badFrame(raw).message).toBe('"ref", when present, must be a string of 1 to 64 characters.');
      },
    );
  });

  describe('encodeFrame', () => {
    it('encodes {event, data} as UTF-8 JSON bytes', () => {
      const frame = encodeFrame('chat', { text: 'héllo' });

      expect(Buffer.isBuffer(frame)).toBe(true);
      expect(frame.toString('utf8')).toBe('{"event":"chat","data":{"text":"héllo"}}');
    });

    it('adds the ref when there is one and drops undefined data', () => {
      expect(encodeFrame('reply', { ok: true }, '7').toString()).toBe('{"event":"reply","data":{"ok":true},"ref":"7"}');
      expect(encodeFrame('connection:ping').toString()).toBe('{"event":"connection:ping"}');
    });

    it('round-trips through parseFrame', () => {
      expect(parseFrame(encodeFrame('presence:list', { channel: 'room:1' }, 'abc').toString())).toEqual({
        event: 'presence:list',
        data: { channel: 'room:1' },
        ref: 'abc',
      });
    });
  });
});
