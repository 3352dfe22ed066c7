import { IntervalHistogram, monitorEventLoopDelay } from 'perf_hooks';

/** ms between Node's samples of the event loop. */
const RESOLUTION_MS = 10;

export interface EventLoopLag {
  p50: number;
  p99: number;
  max: number;
}

/** How late the event loop ran, sampled by Node (`monitorEventLoopDelay`), per window between reads. */
export class EventLoopLagMonitor {
  private readonly histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });

  start(): void {
    this.histogram.enable();
  }

  stop(): void {
    this.histogram.disable();
  }

  /** The lag's median, 99th percentile and maximum since the last read, in seconds; then a new window starts. */
  read(): EventLoopLag {
    const { histogram } = this;
    // Node records the time between samples: the lag is what exceeds the resolution.
    const lag = (nanoseconds: number) => Math.max(0, nanoseconds - RESOLUTION_MS * 1e6) / 1e9;
    const read = histogram.count === 0 ? { p50: 0, p99: 0, max: 0 } : { p50: lag(histogram.percentile(50)), p99: lag(histogram.percentile(99)), max: lag(histogram.max) };
    histogram.reset();
    return read;
  }
}
