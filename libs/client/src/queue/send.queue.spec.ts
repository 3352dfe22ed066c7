import { RealtimeError } from '../error/realtime.error';
import { RequestTracker } from '../request/request.tracker';
import { Outbox } from './outbox';
import { SendQueue } from './send.queue';

describe('SendQueue', () => {
  it('keeps frames in order and hands them all out once', () => {
    const queue = new SendQueue(3);
    ['a', 'b', 'c'].forEach((wire) => queue.push({ wire }));

    expect(queue.drain().map((frame) => frame.wire)).toEqual(['a', 'b', 'c']);
    expect(queue.drain()).toEqual([]);
  });

  it('refuses a frame past its bound with queue_full, and keeps what it had', () => {
    const queue = new SendQueue(2);
    queue.push({ wire: 'a' });
    queue.push({ wire: 'b' });

    let error: unknown;
    try {
      queue.push({ wire: 'c' });
    } catch (caught) {
      error = caught;
    }

    expect(error).toBeInstanceOf(RealtimeError);
    expect(error).toMatchObject({ code: 'queue_full' });
    expect((error as Error).message).toBe(
      'The send queue is full (2 frames wait for the connection); this frame was not queued. ' +
        'Wait for the "connected" state before sending more, or raise the "maxQueuedFrames" option.',
    );
    expect(queue.drain().map((frame) => frame.wire)).toEqual(['a', 'b']);
  });

  it('queues nothing with a bound of 0', () => {
    expect(() => new SendQueue(0).push({ wire: 'a' })).toThrow('The send queue is full (0 frames');
  });
});

describe('Outbox', () => {
  function setup(connected: () => boolean) {
    const written: Array<string | Uint8Array> = [];
    const requests = new RequestTracker(1_000);
    const outbox = new Outbox(new SendQueue(10), requests, (text) => connected() && written.push(text) > 0);
    return { written, requests, outbox };
  }

  it('queues while closed, then flushes in order before anything sent later', () => {
    let up = false;
    const { written, outbox } = setup(() => up);
    outbox.send({ wire: '1' });
    outbox.send({ wire: '2' });
    expect(written).toEqual([]);

    up = true;
    outbox.writeNow({ wire: 'rejoin' });
    outbox.openAndFlush();
    outbox.send({ wire: '3' });

    expect(written).toEqual(['rejoin', '1', '2', '3']);
  });

  it('starts a request timeout only when the request is written', () => {
    jest.useFakeTimers();
    try {
      let up = false;
      const { outbox, requests } = setup(() => up);
      const { ref, promise } = requests.create('channel:publish', 100);
      let settled = false;
      promise.catch(() => (settled = true));
      outbox.send({ wire: 'x', ref });

      jest.advanceTimersByTime(1_000);
      expect(requests.size).toBe(1);

      up = true;
      outbox.openAndFlush();
      jest.advanceTimersByTime(100);
      expect(requests.size).toBe(0);
      return Promise.resolve().then(() => expect(settled).toBe(true));
    } finally {
      jest.useRealTimers();
    }
  });
});
