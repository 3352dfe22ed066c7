import { MessageBody, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import { decode, encode, ExtData } from '@msgpack/msgpack';
import fc from 'fast-check';
import { WebSocket } from 'ws';
import { decodeMsgpack, type Frame, MSGPACK_SUBPROTOCOL, ProtocolEvent } from '@nest-realtime/protocol';
import { captureErrorLog } from './support/error-log';
import { RealtimeTestApp } from './support/realtime-app';

/**
 * Throws random, mutated and hostile MessagePack at a connection that negotiated realtime.v1.msgpack and
 * checks that each frame gets the answer the protocol promises (bad_frame for what is not a frame map of
 * plain values within the limits), that echoed bytes come back as the same bytes, and that the
 * connection stays usable throughout.
 */

const MAX_FRAME_BYTES = 16 * 1024;
const MAX_DEPTH = 32;
const RUNS = 120;
const SEED = Number(process.env.FUZZ_SEED ?? 20261130);

@WebSocketGateway()
class EchoGateway {
  @SubscribeMessage('echo')
  echo(@MessageBody() body: unknown): unknown {
    return { echoed: body ?? null };
  }
}

type Expectation = { kind: 'bad_frame' } | { kind: 'reply'; ref: string } | { kind: 'unknown_event'; event: string } | { kind: 'none' };

/** Only string keys, as the protocol says; the rest of the reading rules are checked on the value below. */
function stringKeys(key: unknown): string {
  if (typeof key !== 'string') throw new Error('not a string key');
  return key;
}

/** Whether a decoded value holds only what the protocol carries, nested at most `MAX_DEPTH` levels. */
function plain(value: unknown, depth: number): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean' || value instanceof Uint8Array) return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (typeof value !== 'object' || value instanceof ExtData || value instanceof Date) return false;
  if (depth >= MAX_DEPTH) return false;
  return Object.values(value).every((child) => plain(child, depth + 1));
}

/** The protocol's reading rules for a binary frame (docs/protocol.md, "Encodings"), applied independently. */
function expectationOf(bytes: Uint8Array): Expectation {
  let value: unknown;
  try {
    value = decode(bytes, { mapKeyConverter: stringKeys });
  } catch {
    return { kind: 'bad_frame' };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof Uint8Array || !plain(value, 0)) return { kind: 'bad_frame' };
  const { event, ref } = value as Record<string, unknown>;
  if (typeof event !== 'string' || event.length === 0 || event.length > 128) return { kind: 'bad_frame' };
  if (ref !== undefined && (typeof ref !== 'string' || ref.length === 0 || ref.length > 64)) return { kind: 'bad_frame' };
  if (typeof ref === 'string') return { kind: 'reply', ref };
  return event === 'echo' ? { kind: 'none' } : { kind: 'unknown_event', event };
}

const bytes = fc.uint8Array({ maxLength: 64 });
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  any: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.string({ maxLength: 20 }),
    fc.double(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    bytes,
    fc.array(tie('any'), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 6 }), tie('any'), { maxKeys: 4 }),
  ),
})).any;
const deep = fc.integer({ min: MAX_DEPTH - 3, max: 200 }).map((levels) => {
  let nested: unknown = [];
  for (let i = 1; i < levels; i++) nested = [nested];
  return nested;
});
const event = fc.oneof(fc.constant('echo'), fc.constant('echo'), fc.string({ maxLength: 140 }).filter((name) => !name.includes(':')), fc.integer(), fc.constant(null));
const ref = fc.oneof(fc.constant(undefined), fc.string({ maxLength: 70 }), fc.integer());
const frame = fc.record({ event, data: fc.oneof(value, deep), ref }, { requiredKeys: ['event'] });
const wellFormed = frame.map((each) => encode(each, { ignoreUndefined: true, maxDepth: 1000 }));

/** A frame's bytes cut short, or with bytes flipped, inserted or removed: mostly broken, sometimes still readable. */
const mutated = fc
  .tuple(wellFormed, fc.array(fc.tuple(fc.constantFrom('flip', 'insert', 'delete', 'truncate'), fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 3 }))
  .map(([wire, edits]) =>
    edits.reduce((current, [edit, at, byte]) => {
      const i = current.length === 0 ? 0 : at % current.length;
      if (edit === 'truncate') return current.subarray(0, i);
      if (edit === 'delete') return Uint8Array.of(...current.subarray(0, i), ...current.subarray(i + 1));
      if (edit === 'insert') return Uint8Array.of(...current.subarray(0, i), byte, ...current.subarray(i));
      const copy = Uint8Array.from(current);
      copy[i] = byte;
      return copy;
    }, wire),
  );

/** What no JSON frame can hold: extension types, timestamps, integer keys, a map that claims more than it has. */
const hostile = fc.oneof(
  fc.constant(encode({ event: 'echo', data: new Date(0), ref: 'date' })),
  fc.uint8Array({ maxLength: 8 }).map((data) => encode({ event: 'echo', data: new ExtData(7, data), ref: 'ext' })),
  fc.constant(Uint8Array.of(0x82, 0xa5, ...Buffer.from('event'), 0xa4, ...Buffer.from('echo'), 0x01, 0xc0)),
  fc.integer({ min: 16, max: 2 ** 32 - 1 }).map((claimed) => Uint8Array.of(0xdf, ...new Uint8Array(new Uint32Array([claimed]).buffer).reverse())),
  fc.integer({ min: 16, max: 2 ** 32 - 1 }).map((claimed) => Uint8Array.of(0xdd, ...new Uint8Array(new Uint32Array([claimed]).buffer).reverse(), 0xc0)),
);

const thrown = fc.oneof(
  { weight: 4, arbitrary: wellFormed },
  { weight: 4, arbitrary: mutated },
  { weight: 1, arbitrary: hostile },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }) },
);

describe('fuzzing the MessagePack decoder of a live server', () => {
  let rt: RealtimeTestApp;
  let errors: string[];
  let restoreLog: () => void;

  beforeAll(async () => {
    rt = await RealtimeTestApp.start({ maxFrameBytes: MAX_FRAME_BYTES, rateLimit: false, limits: { maxDepth: MAX_DEPTH } }, { providers: [EchoGateway] });
    ({ errors, restore: restoreLog } = captureErrorLog());
  });

  afterAll(async () => {
    await rt.close();
    restoreLog();
  });

  it('answers every binary frame as the protocol says, echoes bytes as bytes, and stays open', async () => {
    const socket = new WebSocket(rt.url, [MSGPACK_SUBPROTOCOL]);
    const received: Frame[] = [];
    let wake: (() => void) | undefined;
    socket.on('message', (data, isBinary) => {
      expect(isBinary).toBe(true);
      received.push(decodeMsgpack(data as Buffer, { maxDepth: 256, bin: 'bytes' }) as Frame);
      wake?.();
    });
    const until = async (match: (frame: Frame) => boolean, from: number): Promise<void> => {
      while (!received.slice(from).some(match)) await new Promise<void>((resolve) => (wake = resolve));
    };
    await until((frame) => frame.event === ProtocolEvent.Welcome, 0);
    let frames = 0;
    let barrier = 0;

    try {
      await fc.assert(
        fc.asyncProperty(fc.array(thrown, { minLength: 5, maxLength: 40 }), async (batch) => {
          const mark = received.length;
          for (const wire of batch) socket.send(wire);
          frames += batch.length;
          const barrierRef = `barrier-${++barrier}`;
          socket.send(encode({ event: ProtocolEvent.Ping, ref: barrierRef }));
          await until((frame) => frame.event === 'reply' && frame.ref === barrierRef, mark);
          // An application handler answers asynchronously: its replies may come after the barrier's.
          const expected = batch.map(expectationOf);
          const refs = expected.flatMap((expectation) => (expectation.kind === 'reply' ? [expectation.ref] : []));
          for (const wanted of refs) await until((frame) => frame.event === 'reply' && frame.ref === wanted, mark);
          const answers = received.slice(mark).filter((frame) => frame.ref !== barrierRef);
          const errorsGot = answers.filter((frame) => frame.event === 'error').map((frame) => (frame.data as { code: string }).code);
          const errorsWanted = expected.flatMap((expectation) => (expectation.kind === 'bad_frame' ? ['bad_frame'] : expectation.kind === 'unknown_event' ? ['unknown_event'] : []));
          expect(errorsGot).toEqual(errorsWanted);
          const replies = answers.filter((frame) => frame.event === 'reply');
          expect(replies.map((reply) => reply.ref).sort()).toEqual([...refs].sort());
          for (const reply of replies) expect(reply.data).toHaveProperty('ok');
          // Echoed data comes back as it went: bytes as the same bytes.
          batch.forEach((wire, index) => {
            const expectation = expected[index];
            if (expectation.kind !== 'reply') return;
            const sent = decode(wire) as { event: string; data?: unknown };
            const reply = replies.find((each) => each.ref === expectation.ref)!.data as { ok: boolean; result?: { echoed: unknown } };
            if (sent.event === 'echo' && reply.ok) expect(reply.result!.echoed).toEqual(sent.data ?? null);
          });
          expect(socket.readyState).toBe(WebSocket.OPEN);
        }),
        { numRuns: RUNS, seed: SEED, endOnFailure: true },
      );
    } finally {
      socket.terminate();
    }

    expect(frames).toBeGreaterThan(1000);
    expect(errors).toEqual([]);
  });
});
