import { TokenBucket } from './token-bucket';

describe('TokenBucket', () => {
  it('gives its burst at once, then refuses, saying how long until the next token', () => {
    const bucket = new TokenBucket(3, 2, 0);

    expect([bucket.take(1, 0), bucket.take(1, 0), bucket.take(1, 0)]).toEqual([0, 0, 0]);
    expect(bucket.take(1, 0)).toBe(500);
  });

  it('refills at its rate, never past its burst', () => {
    const bucket = new TokenBucket(2, 10, 0);
    bucket.take(2, 0);

    expect(bucket.take(1, 100)).toBe(0);
    expect(bucket.take(1, 100)).toBeCloseTo(100);
    expect(bucket.take(2, 10_000)).toBe(0);
    expect(bucket.take(1, 10_000)).toBeGreaterThan(0);
  });

  it('takes amounts (bytes) and refuses one larger than what is left without taking it', () => {
    const bucket = new TokenBucket(1000, 1000, 0);

    expect(bucket.take(800, 0)).toBe(0);
    expect(bucket.take(300, 0)).toBeCloseTo(100);
    expect(bucket.take(200, 0)).toBe(0);
  });

  it('ignores a clock that goes backwards', () => {
    const bucket = new TokenBucket(1, 1, 1000);
    bucket.take(1, 1000);

    expect(bucket.take(1, 500)).toBeGreaterThan(0);
    expect(bucket.take(1, 2000)).toBe(0);
  });
});
