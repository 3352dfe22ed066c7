import { AdaptiveHeartbeatPolicy, CALM_SAMPLES } from './heartbeat.policy';

const BASE = { interval: 25_000, timeout: 60_000 };

function policy(maxInterval = 100_000, lagThreshold = 100): AdaptiveHeartbeatPolicy {
  return new AdaptiveHeartbeatPolicy(BASE, { maxInterval, lagThreshold });
}

/** The interval in force after each sample. */
function intervals(samples: number[], subject = policy()): number[] {
  return samples.map((lag) => {
    subject.observe(lag);
    return subject.current.interval;
  });
}

describe('AdaptiveHeartbeatPolicy', () => {
  it('keeps the configured values while the lag stays under the threshold', () => {
    const subject = policy();

    expect([0, 20, 99, 100].map((lag) => subject.observe(lag))).toEqual([undefined, undefined, undefined, undefined]);
    expect(subject.current).toEqual(BASE);
  });

  it('doubles the interval for each sample over the threshold, up to the maximum, stretching the timeout with it', () => {
    const subject = policy();

    expect(subject.observe(150)).toEqual({ interval: 50_000, timeout: 120_000 });
    expect(subject.observe(400)).toEqual({ interval: 100_000, timeout: 240_000 });
    expect(subject.observe(900)).toBeUndefined();
    expect(subject.current).toEqual({ interval: 100_000, timeout: 240_000 });
  });

  it('stops at a maximum that is not a power of two of the interval', () => {
    expect(intervals([500, 500, 500], policy(60_000))).toEqual([50_000, 60_000, 60_000]);
  });

  it(`halves the interval only after ${CALM_SAMPLES} samples in a row under half the threshold, down to the configured one`, () => {
    const subject = policy();
    intervals([500, 500], subject);

    expect(intervals([10, 10, 10, 10, 10, 10, 10, 10, 10], subject)).toEqual([
      100_000, 100_000, 50_000, 50_000, 50_000, 25_000, 25_000, 25_000, 25_000,
    ]);
    expect(subject.current).toEqual(BASE);
  });

  it('does not flap: a lag between half the threshold and the threshold holds the interval and restarts the calm count', () => {
    const subject = policy();
    intervals([500], subject);

    expect(intervals([10, 10, 70, 10, 10, 80, 10, 10], subject)).toEqual(Array(8).fill(50_000));
    expect(intervals([10], subject)).toEqual([25_000]);
  });

  it('stretches again at once when the lag comes back while relaxing', () => {
    const subject = policy();
    intervals([500, 500, 0, 0, 0], subject);

    expect(subject.current.interval).toBe(50_000);
    expect(subject.observe(300)).toEqual({ interval: 100_000, timeout: 240_000 });
  });
});
