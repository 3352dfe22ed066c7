/** A token bucket: holds up to `burst` tokens, refilled continuously at `perSecond`. */
export class TokenBucket {
  private tokens: number;
  private readonly perMs: number;

  constructor(
    private readonly burst: number,
    perSecond: number,
    private updatedAt: number,
  ) {
    this.tokens = burst;
    this.perMs = perSecond / 1000;
  }

  /** Takes `amount` tokens at time `now` (ms); returns 0 when it did, or how many ms until it could. */
  take(amount: number, now: number): number {
    if (now > this.updatedAt) {
      this.tokens = Math.min(this.burst, this.tokens + (now - this.updatedAt) * this.perMs);
      this.updatedAt = now;
    }
    if (this.tokens >= amount) {
      this.tokens -= amount;
      return 0;
    }
    return (amount - this.tokens) / this.perMs;
  }
}
