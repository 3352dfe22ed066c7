import { MessageBody, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import fc from 'fast-check';
import { ChannelService } from '@nest-realtime/core';
import { CLIENT_EVENTS, ProtocolEvent } from '@nest-realtime/protocol';
import { captureErrorLog } from './support/error-log';
import { RealtimeTestApp } from './support/realtime-app';
import { Frame, TestClient } from './support/test-client';

/**
 * Throws thousands of random and mutated frames at a live server and checks, frame by frame, that each
 * gets the answer the protocol promises, while a well-behaved client on the same server sees all of its
 * messages. Frames that close the connection by rule (invalid UTF-8: 1007, oversize: 1009) are thrown
 * on connections of their own.
 */

const MAX_FRAME_BYTES = 16 * 1024;
const MAX_DEPTH = 32;
const RUNS = 200;
const SEED = Number(process.env.FUZZ_SEED ?? 20251123);

@WebSocketGateway()
class EchoGateway {
  /** Wrapped, so that a body shaped like `{event, data}` is not sent back as a frame of its own. */
  @SubscribeMessage('echo')
  echo(@MessageBody() body: unknown): unknown {
    return { echoed: body ?? null };
  }
}

/**
 * What one sent frame must get back. Replies are matched by ref (an application handler answers
 * asynchronously, so its reply may come after the answers to later frames); error frames in order.
 */
type Expectation =
  | { kind: 'bad_frame' }
  | { kind: 'reply'; ref: string }
  | { kind: 'unknown_event'; event: string }
  /** A readable protocol frame without ref: an error naming its event when it fails, nothing when it succeeds. */
  | { kind: 'maybe_error'; event: string };

type Thrown = { text: string } | { binary: Uint8Array };

const PROTOCOL_EVENTS = Object.values(ProtocolEvent);
const HANDLED = new Set<string>([...CLIENT_EVENTS, 'echo']);

function depthOf(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  const children = Array.isArray(value) ? value : Object.values(value);
  return 1 + children.reduce<number>((deepest, child) => Math.max(deepest, depthOf(child)), 0);
}

/** The protocol's reading rules, written from docs/protocol.md, applied to what the server will read. */
function expectationOf(thrown: Thrown): Expectation {
  if ('binary' in thrown) return { kind: 'bad_frame' };
  const text = Buffer.from(thrown.text).toString();
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { kind: 'bad_frame' };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { kind: 'bad_frame' };
  if (depthOf(value) > MAX_DEPTH) return { kind: 'bad_frame' };
  const { event, ref } = value as Record<string, unknown>;
  if (typeof event !== 'string' || event.length === 0 || event.length > 128) return { kind: 'bad_frame' };
  if (ref !== undefined && (typeof ref !== 'string' || ref.length === 0 || ref.length > 64)) return { kind: 'bad_frame' };
  if (typeof ref === 'string') return { kind: 'reply', ref };
  return HANDLED.has(event) ? { kind: 'maybe_error', event } : { kind: 'unknown_event', event };
}

const channel = fc.oneof(fc.constantFrom('fuzz:a', 'fuzz:b', 'fuzz:c'), fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 1 }));
const deep = fc.integer({ min: MAX_DEPTH - 2, max: 300 }).map((depth) => JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`) as unknown);
const payload = fc.oneof(fc.jsonValue({ maxDepth: 4 }), deep, fc.string({ minLength: 1000, maxLength: 10_000 }));
const data = fc.oneof(
  fc.constant(undefined),
  fc.jsonValue({ maxDepth: 3 }),
  fc.record(
    {
      channel,
      payload,
      meta: fc.oneof(fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 })), fc.jsonValue({ maxDepth: 2 })),
      state: fc.constantFrom('connected', 'idle', 'reconnecting', 'disconnected', 'nope', 7),
      token: fc.oneof(fc.string(), fc.integer()),
      to: fc.oneof(fc.string({ maxLength: 40 }), fc.integer()),
      t: fc.jsonValue({ maxDepth: 2 }),
    },
    { requiredKeys: [] },
  ),
);
const event = fc.oneof(
  fc.constantFrom(...PROTOCOL_EVENTS, 'echo', 'system:halt', 'reply'),
  fc.string({ maxLength: 140 }),
  fc.jsonValue({ maxDepth: 1 }),
);
const ref = fc.oneof(fc.constant(undefined), fc.string({ maxLength: 70 }), fc.jsonValue({ maxDepth: 1 }));
const wellFormed = fc.record({ event, data, ref }).map((frame) => JSON.stringify(frame));

/** A frame's text with characters inserted, deleted or replaced: mostly broken, sometimes still readable. */
const mutated = fc
  .tuple(wellFormed, fc.array(fc.tuple(fc.constantFrom('insert', 'delete', 'replace'), fc.nat(), fc.string({ unit: 'binary', minLength: 1, maxLength: 3 })), { minLength: 1, maxLength: 4 }))
  .map(([text, edits]) =>
    edits.reduce((current, [edit, at, chars]) => {
      const i = current.length === 0 ? 0 : at % current.length;
      if (edit === 'insert') return current.slice(0, i) + chars + current.slice(i);
      if (edit === 'delete') return current.slice(0, i) + current.slice(i + 1);
      return current.slice(0, i) + chars + current.slice(i + chars.length);
    }, text),
  );

const thrown: fc.Arbitrary<Thrown> = fc.oneof(
  { weight: 4, arbitrary: wellFormed.map((text) => ({ text })) },
  { weight: 4, arbitrary: mutated.map((text) => ({ text })) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((value) => ({ text: JSON.stringify(value) })) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }).map((text) => ({ text })) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((binary) => ({ binary })) },
);

/** The answers among the frames received: replies and errors (broadcasts, pongs and states are not answers). */
function answers(frames: Frame[]): Frame[] {
  return frames.filter((frame) => frame.event === 'reply' || frame.event === 'error');
}

/** Matches the answers to the expectations; returns what went wrong, or undefined. */
function mismatch(expected: Expectation[], got: Frame[]): string | undefined {
  const replies = got.filter((frame) => frame.event === 'reply');
  const errors = got.filter((frame) => frame.event === 'error');
  const wantedRefs = expected.flatMap((expectation) => (expectation.kind === 'reply' ? [expectation.ref] : [])).sort();
  const gotRefs = replies.map((reply) => String(reply.ref)).sort();
  if (JSON.stringify(wantedRefs) !== JSON.stringify(gotRefs)) return `replies ${JSON.stringify(gotRefs)} for refs ${JSON.stringify(wantedRefs)}`;
  const broken = replies.find((reply) => typeof reply.data?.ok !== 'boolean' || reply.data.error?.code === 'internal');
  if (broken) return `a bad reply: ${JSON.stringify(broken).slice(0, 300)}`;
  let next = 0;
  for (const [index, expectation] of expected.entries()) {
    const error = errors[next];
    const where = `frame #${index} (${JSON.stringify(expectation)}) got ${JSON.stringify(error)?.slice(0, 300)}`;
    switch (expectation.kind) {
      case 'bad_frame':
        if (error?.data.code !== 'bad_frame' || 'event' in error.data) return where;
        next++;
        break;
      case 'unknown_event':
        if (error?.data.code !== 'unknown_event' || error.data.event !== expectation.event) return where;
        next++;
        break;
      case 'maybe_error':
        if (error?.data.event === expectation.event) {
          if (error.data.code === 'internal') return `internal error: ${where}`;
          next++;
        }
        break;
      case 'reply':
        break;
    }
  }
  return next === errors.length ? undefined : `${errors.length - next} error frames too many: ${JSON.stringify(errors.slice(next)).slice(0, 300)}`;
}

describe('fuzzing a live server', () => {
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

  it('answers every frame as the protocol says while a well-behaved client sees all its messages', async () => {
    const fuzzer = await rt.connect();
    const good = await rt.connect();
    expect((await good.request('channel:join', { channel: 'good:room' })).ok).toBe(true);
    let fuzzing = true;
    const sent: number[] = [];
    const talking = (async () => {
      for (let seq = 0; fuzzing; seq++) {
        const reply = await good.request('channel:publish', { channel: 'good:room', payload: { seq } });
        if (!reply.ok) throw new Error(`the good client's publish failed: ${JSON.stringify(reply.error)}`);
        sent.push(seq);
      }
    })();
    let frames = 0;
    let barrier = 0;

    try {
      await fc.assert(
        fc.asyncProperty(fc.array(thrown, { minLength: 10, maxLength: 60, size: "max" }), async (batch) => {
          const mark = fuzzer.mark();
          for (const item of batch) {
            if ('binary' in item) fuzzer.sendBinary(Buffer.from(item.binary));
            else fuzzer.send(item.text);
          }
          frames += batch.length;
          const ref = `barrier-${++barrier}`;
          const done = fuzzer.next((frame) => frame.event === 'reply' && frame.ref === ref, mark, `the barrier ${ref}`);
          fuzzer.send({ event: 'connection:ping', ref });
          await done;
          const got = answers(fuzzer.since(mark)).filter((frame) => frame.ref !== ref);
          const wrong = mismatch(batch.map(expectationOf), got);
          if (wrong) throw new Error(wrong);
          expect(fuzzer.isOpen).toBe(true);
        }),
        { numRuns: RUNS, seed: SEED, endOnFailure: true },
      );
    } finally {
      fuzzing = false;
      await talking;
    }

    expect(frames).toBeGreaterThan(5000);
    await good.roundTrip();
    const heard = good.frames.filter((frame) => frame.event === 'channel:message' && frame.data.from === good.clientId).map((frame) => frame.data.payload.seq);
    expect(heard).toEqual(sent);
    expect(sent.length).toBeGreaterThan(10);
    expect(errors).toEqual([]);
    expect((await rt.connect()).isOpen).toBe(true);
  });

  it('closes with 1007 a connection that sends text that is not UTF-8, and with 1009 one that sends too much, and nobody else', async () => {
    const good = await rt.connect();
    await good.request('channel:join', { channel: 'good:room' });
    const invalidUtf8 = fc.uint8Array({ minLength: 0, maxLength: 64 }).map((bytes) => ({ bytes: Buffer.concat([Buffer.from([0xff]), Buffer.from(bytes)]), close: 1007 }));
    const oversize = fc.integer({ min: 1, max: 4096 }).map((extra) => ({ bytes: Buffer.alloc(MAX_FRAME_BYTES + extra, 0x61), close: 1009 }));

    await fc.assert(
      fc.asyncProperty(fc.oneof(invalidUtf8, oversize), async ({ bytes, close }) => {
        const victim: TestClient = await rt.connect();
        victim.socket.send(bytes, { binary: false });
        expect((await victim.waitClosed()).code).toBe(close);
        const heard = good.nextEvent('channel:message');
        await rt.get(ChannelService).publish('good:room', 'still here');
        await heard;
      }),
      { numRuns: 30, seed: SEED },
    );

    expect(good.isOpen).toBe(true);
    expect(errors).toEqual([]);
  });
});
