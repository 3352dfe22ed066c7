import { PublishWriteTimer } from './publish-write.timer';

describe('PublishWriteTimer', () => {
  it('times one publish in every N', () => {
    const timer = new PublishWriteTimer(3, () => undefined);
    const started = Array.from({ length: 7 }, () => timer.start());
    expect(started.map((at) => at >= 0)).toEqual([false, false, true, false, false, true, false]);
  });

  it('observes a timed publish after the flush its fan-out scheduled in the same tick', async () => {
    const order: string[] = [];
    const timer = new PublishWriteTimer(1, (seconds) => order.push(`observed ${seconds >= 0}`));
    const startedAt = timer.start();
    // What the writer does during the fan-out: the end-of-tick flush.
    setImmediate(() => order.push('flushed'));
    await Promise.resolve();
    timer.published(startedAt);
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual(['flushed', 'observed true']);
  });
});
