/**
 * A token bucket's rule: holds up to `burst` tokens, refilled continuously at `perSecond`. A bucket's
 * state is two numbers, its tokens and when they were counted, kept by the caller in an array with
 * the states of other buckets: thousands of connections with several buckets each cost a few numbers
 * apiece, not an object per bucket.
 */
export class TokenBucket {
  private readonly perMs: number;

  constructor(
    readonly burst: number,
    perSecond: number,
  ) {
    this.perMs = perSecond / 1000;
  }

  /** Appends the state of a full bucket as of `now` to `states`; returns where it starts. */
  fill(states: number[], now: number): number {
    states.push(this.burst, now);
    return states.length - 2;
  }

  /**
   * Takes `amount` tokens at time `now` (ms) from the bucket whose state starts at `states[at]`;
   * returns 0 when it did, or how many ms until it could.
   */
  take(states: number[], at: number, amount: number, now: number): number {
    let tokens = states[at];
    if (now > states[at + 1]) {
      tokens = Math.min(this.burst, tokens + (now - states[at + 1]) * this.perMs);
      states[at] = tokens;
      states[at + 1] = now;
    }
    if (tokens >= amount) {
      states[at] = tokens - amount;
      return 0;
    }
    return (amount - tokens) / this.perMs;
  }
}
