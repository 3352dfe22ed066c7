import { TokenBucket } from './token-bucket';

describe('TokenBucket', () => {
  function bucketOf(burst: number, perSecond: number, now: number) {
    const bucket = new TokenBucket(burst, perSecond);
    const states: number[] = [];
    const at = bucket.fill(states, now);
    return { take: (amount: number, time: number) => bucket.take(states, at, amount, time), states };
  }

  it('gives its burst at once, then refuses, saying how long until the next token', () => {
    const bucket = bucketOf(3, 2, 0);

    expect([bucket.take(1, 0), bucket.take(1, 0), bucket.take(1, 0)]).toEqual([0, 0, 0]);
    expect(bucket.take(1, 0)).toBe(500);
  });

  it('refills at its rate, never past its burst', () => {
    const bucket = bucketOf(2, 10, 0);
    bucket.take(2, 0);

    expect(bucket.take(1, 100)).toBe(0);
    expect(bucket.take(1, 100)).toBeCloseTo(100);
    expect(bucket.take(2, 10_000)).toBe(0);
    expect(bucket.take(1, 10_000)).toBeGreaterThan(0);
  });

  it('takes amounts (bytes) and refuses one larger than what is left without taking it', () => {
    const bucket = bucketOf(1000, 1000, 0);

    expect(bucket.take(800, 0)).toBe(0);
    expect(bucket.take(300, 0)).toBeCloseTo(100);
    expect(bucket.take(200, 0)).toBe(0);
  });

  it('ignores a clock that goes backwards', () => {
    const bucket = bucketOf(1, 1, 1000);
    bucket.take(1, 1000);

    expect(bucket.take(1, 500)).toBeGreaterThan(0);
    expect(bucket.take(1, 2000)).toBe(0);
  });

  it('keeps each bucket of a shared array to its own two numbers', () => {
    const bucket = new TokenBucket(2, 1);
    const states: number[] = [];
    const first = bucket.fill(states, 0);
    const second = bucket.fill(states, 0);
    bucket.take(states, first, 2, 0);

    expect(bucket.take(states, second, 2, 0)).toBe(0);
    expect(states).toEqual([0, 0, 0, 0]);
  });
});
