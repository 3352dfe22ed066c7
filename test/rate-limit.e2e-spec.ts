import type { AuditEvent, RateLimitOptions } from '@nest-realtime/core';
import { AuditService, ChannelService, MetricsMiddleware } from '@nest-realtime/core';
import { userFromQuery } from './support/auth';
import { RealtimeTestApp } from './support/realtime-app';
import { TestClient } from './support/test-client';

const MAX_BREACHES = 5;

/** Small buckets refilled slowly, so that a burst meets them however fast the machine is. */
const RATE_LIMIT: RateLimitOptions = {
  connection: {
    all: { frames: { burst: 20, perSecond: 2 }, bytes: { burst: 4096, perSecond: 1024 } },
    join: { frames: { burst: 3, perSecond: 0.5 } },
    publish: false,
    presence: false,
  },
  client: { all: { frames: { burst: 30, perSecond: 2 } }, publish: false, join: false, presence: false },
  maxBreaches: MAX_BREACHES,
  breachWindow: 60_000,
};

describe('rate limits', () => {
  let rt: RealtimeTestApp;
  let audit: AuditEvent[];

  beforeEach(async () => {
    rt = await RealtimeTestApp.start({ authenticate: userFromQuery, maxFrameBytes: 4096, rateLimit: RATE_LIMIT });
    audit = [];
    rt.get(AuditService).audit$.subscribe((event) => audit.push(event));
  });

  afterEach(() => rt.close());

  const connect = (user: string): Promise<TestClient> => rt.connect({ user });

  it('closes a flooding connection with 1008 while a well-behaved neighbour keeps receiving', async () => {
    const [flooder, neighbour, publisher] = await Promise.all([connect('flooder'), connect('neighbour'), connect('publisher')]);
    for (const client of [flooder, neighbour, publisher]) expect((await client.request('channel:join', { channel: 'room' })).ok).toBe(true);
    const closed = flooder.waitClosed();
    const flood = Array.from({ length: 200 }, (_, i) => ({ event: 'channel:publish', data: { channel: 'room', payload: `flood ${i}` } }));

    flooder.sendTogether(flood);
    const said: string[] = [];
    for (let i = 0; i < 10; i++) {
      said.push(`calm ${i}`);
      expect((await publisher.request('channel:publish', { channel: 'room', payload: `calm ${i}` })).ok).toBe(true);
    }

    expect(await closed).toEqual({ code: 1008, reason: 'rate limit exceeded again and again' });
    const refusals = flooder.frames.filter((frame) => frame.event === 'error');
    expect(refusals.length).toBeGreaterThanOrEqual(1);
    expect(refusals.length).toBeLessThanOrEqual(MAX_BREACHES);
    for (const refusal of refusals) {
      expect(refusal.data).toEqual({ code: 'rate_limited', message: expect.any(String), details: { retryAfter: expect.any(Number) }, event: 'channel:publish' });
    }
    const heard = neighbour.frames.filter((frame) => frame.event === 'channel:message');
    // Only what fitted in the flooder's bucket got through (its join took one frame of it).
    expect(heard.filter((frame) => frame.data.from === 'flooder').length).toBeLessThanOrEqual(19);
    await neighbour.next((frame) => frame.event === 'channel:message' && frame.data.payload === 'calm 9');
    expect(neighbour.frames.filter((frame) => frame.data?.from === 'publisher').map((frame) => frame.data.payload)).toEqual(said);
    expect(neighbour.isOpen).toBe(true);
    await neighbour.roundTrip();
    expect(audit).toContainEqual(expect.objectContaining({ type: 'connection.kick', clientId: 'flooder', code: 1008 }));
    expect(rt.get(MetricsMiddleware).snapshot().framesRefused.rate_limited).toBe(refusals.length + 1);
  });

  it('answers a frame over the limit with a rate_limited reply and does not run it', async () => {
    const alice = await connect('alice');
    for (let i = 0; i < 3; i++) expect((await alice.request('channel:join', { channel: `c${i}` })).ok).toBe(true);

    const reply = await alice.request('channel:join', { channel: 'c3' });

    expect(reply).toEqual({ ok: false, error: { code: 'rate_limited', message: expect.stringContaining('retry in'), details: { retryAfter: expect.any(Number) } } });
    expect(reply.error!.details.retryAfter).toBeGreaterThan(0);
    expect(await rt.get(ChannelService).isMember('c3', alice.connectionId)).toBe(false);
    expect(alice.isOpen).toBe(true);
  });

  it('limits each event class on its own: joins are refused while other frames pass', async () => {
    const alice = await connect('alice');
    for (let i = 0; i < 3; i++) await alice.request('channel:join', { channel: `c${i}` });

    expect((await alice.request('channel:join', { channel: 'c3' })).error?.code).toBe('rate_limited');
    expect((await alice.request('channel:publish', { channel: 'c0', payload: 'still fine' })).ok).toBe(true);
    expect((await alice.request('connection:ping', { t: 1 })).ok).toBe(true);
  });

  it('limits bytes: frames stop passing once their bytes exceed the bucket', async () => {
    const alice = await connect('alice');
    const big = 'x'.repeat(1500);

    const replies = [];
    for (let i = 0; i < 4; i++) replies.push(await alice.request('connection:ping', { t: big }));

    expect(replies.slice(0, 2).every((reply) => reply.ok)).toBe(true);
    expect(replies[3].error?.code).toBe('rate_limited');
  });

  it('shares the per-client buckets between the connections of one clientId', async () => {
    const tab1 = await connect('alice');
    const tab2 = await connect('alice');
    const other = await connect('bob');

    const answers = [];
    for (let i = 0; i < 16; i++) answers.push(await tab1.request('connection:ping', { t: i }));
    for (let i = 0; i < 16; i++) answers.push(await tab2.request('connection:ping', { t: i }));

    expect(answers.filter((reply) => reply.error?.code === 'rate_limited').length).toBeGreaterThan(0);
    expect(answers.slice(0, 16).every((reply) => reply.ok)).toBe(true);
    expect((await other.request('connection:ping', { t: 'bob' })).ok).toBe(true);
  });

  it('counts frames that could not be read, and answers them rate_limited past the limit', async () => {
    const alice = await connect('alice');
    const mark = alice.mark();

    alice.sendTogether(Array.from({ length: 22 }, () => 'not json'));
    await alice.next((frame) => frame.event === 'error' && frame.data.code === 'rate_limited', mark);

    const codes = alice.eventsSince('error', mark).map((frame) => frame.data.code);
    expect(codes.slice(0, 20)).toEqual(Array(20).fill('bad_frame'));
    expect(codes).toContain('rate_limited');
  });
});

describe('rate limits turned off', () => {
  it('lets a burst through with rateLimit: false', async () => {
    const rt = await RealtimeTestApp.start({ rateLimit: false });
    try {
      const client = await rt.connect();
      const mark = client.mark();
      client.sendTogether(Array.from({ length: 300 }, (_, i) => ({ event: 'connection:ping', data: { t: i }, ref: `p${i}` })));
      await client.next((frame) => frame.ref === 'p299', mark);
      expect(client.since(mark).filter((frame) => frame.event === 'reply' && frame.data.ok)).toHaveLength(300);
    } finally {
      await rt.close();
    }
  });
});
