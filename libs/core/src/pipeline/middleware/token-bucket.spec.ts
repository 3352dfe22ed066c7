import { TokenBucket } from './token-bucket';

describe('TokenBucket', () => {
  /** A bucket and its state as its owner keeps them: full at `now`, refilled up to each take's time. */
  function bucketOf(burst: number, perSecond: number, now: number) {
    const bucket = new TokenBucket(burst, perSecond);
    const states = [burst];
    let countedAt = now;
    const take = (amount: number, time: number) => {
      if (time > countedAt) {
        bucket.refill(states, 0, time - countedAt);
        countedAt = time;
      }
      return bucket.take(states, 0, amount);
    };
    return { take, states };
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

  it('comes to the same tokens refilled in steps or at once, the burst capping both', () => {
    const bucket = new TokenBucket(10, 1000);
    const stepped = [2];
    const once = [2];
    for (let i = 0; i < 5; i++) bucket.refill(stepped, 0, 1);
    bucket.refill(once, 0, 5);
    expect(stepped).toEqual([7]);
    expect(once).toEqual([7]);

    for (let i = 0; i < 10; i++) bucket.refill(stepped, 0, 1);
    bucket.refill(once, 0, 10);
    expect(stepped).toEqual([10]);
    expect(once).toEqual([10]);
  });

  it('keeps each bucket of a shared array to its own number', () => {
    const bucket = new TokenBucket(2, 1);
    const states = [0, 2, 2];
    bucket.take(states, 1, 2);

    expect(bucket.take(states, 2, 2)).toBe(0);
    expect(states).toEqual([0, 0, 0]);
  });
});
