import type { ResolvedReconnectOptions } from './backoff.options';

export interface BackoffCause {
  /** The connection was closed with 1012 (service restart). */
  restart?: boolean;
}

/**
 * The reconnect schedule: exponential windows with full jitter (a delay is uniform in [0, window)).
 * The window grows with each attempt and starts over after a connection that stayed up for
 * `stableAfter`; `maxAttempts` counts failures since the last connection.
 */
export class Backoff {
  private step = 0;
  private failures = 0;
  private connectedAt?: number;

  constructor(
    private readonly options: ResolvedReconnectOptions,
    private readonly now: () => number = Date.now,
  ) {}

  /** The attempts made since the last connection. */
  get attempts(): number {
    return this.failures;
  }

  /** A connection was established. */
  connected(): void {
    this.failures = 0;
    this.connectedAt = this.now();
  }

  /** The window of the next delay, before jitter. */
  window(cause: BackoffCause = {}): number {
    const { baseDelay, factor, maxDelay, restartJitter } = this.options;
    const window = Math.min(maxDelay, baseDelay * Math.pow(factor, this.step));
    return cause.restart ? Math.max(window, restartJitter) : window;
  }

  /** The delay before the next attempt, or null when `maxAttempts` attempts in a row have failed. */
  next(cause: BackoffCause = {}): number | null {
    if (this.connectedAt !== undefined && this.now() - this.connectedAt >= this.options.stableAfter) this.step = 0;
    this.connectedAt = undefined;
    if (this.failures >= this.options.maxAttempts) return null;
    const window = this.window(cause);
    this.failures++;
    this.step++;
    return Math.floor(this.options.random() * window);
  }

  /** Starts over, as for a new client. */
  reset(): void {
    this.step = 0;
    this.failures = 0;
    this.connectedAt = undefined;
  }
}
