import { RealtimeError } from '../error/realtime.error';
import { RequestTracker } from './request.tracker';

describe('RequestTracker', () => {
  afterEach(() => jest.useRealTimers());

  it('resolves a request with its reply\'s result, once', async () => {
    const tracker = new RequestTracker(1_000);
    const { ref, promise } = tracker.create<{ channel: string }>('channel:join');

    expect(tracker.settle(ref, { ok: true, result: { channel: 'room:a' } })).toBe(true);
    expect(tracker.settle(ref, { ok: true, result: {} })).toBe(false);
    await expect(promise).resolves.toEqual({ channel: 'room:a' });
  });

  it('rejects with the server\'s code, message and details', async () => {
    const tracker = new RequestTracker(1_000);
    const { ref, promise } = tracker.create('chat:shout');
    tracker.settle(ref, { ok: false, error: { code: 'invalid', message: 'bad text', details: [{ field: 'text', message: 'too long' }] } });

    const error = await promise.catch((caught: RealtimeError) => caught);
    expect(error).toBeInstanceOf(RealtimeError);
    expect(error).toMatchObject({ code: 'invalid', message: 'bad text', details: [{ field: 'text', message: 'too long' }] });
  });

  it('times out a written request and ignores its late reply', async () => {
    jest.useFakeTimers();
    const tracker = new RequestTracker(500);
    const { ref, promise } = tracker.create('channel:publish');
    tracker.sent(ref);
    const outcome = promise.catch((error: RealtimeError) => error);

    jest.advanceTimersByTime(500);

    expect(await outcome).toMatchObject({ code: 'timeout', message: expect.stringContaining('No reply to "channel:publish" within 500 ms') });
    expect(tracker.settle(ref, { ok: true, result: null })).toBe(false);
  });

  it('fails only the written requests when the connection is lost', async () => {
    const tracker = new RequestTracker(1_000);
    const written = tracker.create('a');
    const queued = tracker.create('b');
    tracker.sent(written.ref);

    tracker.failSent((event) => new RealtimeError('disconnected', `lost ${event}`));

    await expect(written.promise).rejects.toMatchObject({ code: 'disconnected', message: 'lost a' });
    expect(tracker.size).toBe(1);
    tracker.failAll(new RealtimeError('closed', 'closed'));
    await expect(queued.promise).rejects.toMatchObject({ code: 'closed' });
  });
});
