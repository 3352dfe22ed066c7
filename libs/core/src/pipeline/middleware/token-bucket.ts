/**
 * A token bucket's rule: holds up to `burst` tokens, refilled continuously at `perSecond`. A bucket's
 * state is one number, its tokens, kept by the caller in an array with the tokens of other buckets and
 * the time they were all counted at (see `refill`): thousands of connections with several buckets each
 * cost a few numbers apiece, not an object per bucket.
 */
export class TokenBucket {
  private readonly perMs: number;

  constructor(
    readonly burst: number,
    perSecond: number,
  ) {
    this.perMs = perSecond / 1000;
  }

  /**
   * Adds what `elapsed` ms bring to the tokens at `states[at]`, never past the burst. Refilling buckets
   * at every step or once over the whole time comes to the same: the cap is reached either way or never.
   */
  refill(states: number[], at: number, elapsed: number): void {
    states[at] = Math.min(this.burst, states[at] + elapsed * this.perMs);
  }

  /**
   * Takes `amount` tokens from the bucket whose tokens are `states[at]` (refilled by the caller);
   * returns 0 when it did, or how many ms until it could.
   */
  take(states: number[], at: number, amount: number): number {
    const tokens = states[at];
    if (tokens >= amount) {
      states[at] = tokens - amount;
      return 0;
    }
    return (amount - tokens) / this.perMs;
  }
}
