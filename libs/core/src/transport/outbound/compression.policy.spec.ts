import { CompressionPolicy } from './compression.policy';

describe('CompressionPolicy', () => {
  /** Tries of `count` payloads of `size` bytes: how many were let through to be compressed. */
  function tries(policy: CompressionPolicy, size: number, count: number, compressedSize: number): number {
    let tried = 0;
    for (let i = 0; i < count; i++) {
      if (!policy.shouldTry(size)) continue;
      tried++;
      policy.record(size, compressedSize);
    }
    return tried;
  }

  it('counts a compression as paying at 0.9 of the size or less', () => {
    const policy = new CompressionPolicy();

    expect(policy.record(1000, 900)).toBe(true);
    expect(policy.record(1000, 901)).toBe(false);
  });

  it('tries every payload while compression pays', () => {
    expect(tries(new CompressionPolicy(), 4000, 100, 800)).toBe(100);
  });

  it('sends the next 8 payloads of a size class plain after a miss, then tries again', () => {
    const policy = new CompressionPolicy();
    policy.record(4000, 3900);

    for (let i = 0; i < 8; i++) expect(policy.shouldTry(4000)).toBe(false);
    expect(policy.shouldTry(4000)).toBe(true);
  });

  it('waits twice as long after each miss in a row, at most 256 payloads, and a hit ends the wait', () => {
    const policy = new CompressionPolicy();

    // Misses in a row: tried at 0, 9, 26, 59, 124, 253, 510, 767, ...
    expect(tries(policy, 4000, 1000, 3990)).toBe(8);
    let untried = 0;
    while (!policy.shouldTry(4000)) untried++;
    expect(untried).toBe(256 - (1000 - 768));
    policy.record(4000, 1000);
    expect(tries(policy, 4000, 10, 1000)).toBe(10);
  });

  it('keeps size classes apart: a miss on images of 40 KiB leaves chat messages of 2 KiB alone', () => {
    const policy = new CompressionPolicy();
    policy.record(40_000, 39_900);

    expect(policy.shouldTry(40_000)).toBe(false);
    expect(policy.shouldTry(2_000)).toBe(true);
  });
});
