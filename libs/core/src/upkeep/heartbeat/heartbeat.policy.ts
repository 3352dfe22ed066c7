import type { HeartbeatSettings } from '@nest-realtime/protocol';

/** Lag samples under half the threshold in a row before the interval relaxes one step. */
export const CALM_SAMPLES = 3;

export interface AdaptiveHeartbeatLimits {
  maxInterval: number;
  lagThreshold: number;
}

/**
 * From event-loop lag samples to the heartbeat in force. A sample over `lagThreshold` doubles the interval
 * (up to `maxInterval`); `CALM_SAMPLES` in a row under half of it halve it (down to the configured one).
 * The gap between the two bounds, and the run of calm samples, keep it from flapping. The timeout keeps
 * its ratio to the interval, so no connection is dropped for the server's own slowness.
 */
export class AdaptiveHeartbeatPolicy {
  private interval: number;
  private calm = 0;

  constructor(
    private readonly base: HeartbeatSettings,
    private readonly limits: AdaptiveHeartbeatLimits,
  ) {
    this.interval = base.interval;
  }

  get current(): HeartbeatSettings {
    return { interval: this.interval, timeout: Math.round((this.base.timeout * this.interval) / this.base.interval) };
  }

  /** Takes one lag sample, in ms; returns the new values when they change. */
  observe(lagMs: number): HeartbeatSettings | undefined {
    let next = this.interval;
    if (lagMs > this.limits.lagThreshold) {
      this.calm = 0;
      next = Math.min(this.limits.maxInterval, this.interval * 2);
    } else if (lagMs >= this.limits.lagThreshold / 2) {
      this.calm = 0;
    } else if (this.interval > this.base.interval && ++this.calm >= CALM_SAMPLES) {
      this.calm = 0;
      next = Math.max(this.base.interval, Math.round(this.interval / 2));
    }
    if (next === this.interval) return undefined;
    this.interval = next;
    return this.current;
  }
}
