import { IntervalHistogram, monitorEventLoopDelay } from 'perf_hooks';

/** ms between Node's samples of the event loop. */
const RESOLUTION_MS = 10;

/** How late the event loop ran, as Node samples it (`monitorEventLoopDelay`: a timer, no per-tick cost). */
export class EventLoopLagSampler {
  private readonly histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });

  start(): void {
    this.histogram.enable();
  }

  stop(): void {
    this.histogram.disable();
  }

  /** The lag's 99th percentile since the last read, in ms; then a new window starts. */
  read(): number {
    const { histogram } = this;
    // Node records the time between samples: the lag is what exceeds the resolution.
    const lag = histogram.count === 0 ? 0 : Math.max(0, histogram.percentile(99) / 1e6 - RESOLUTION_MS);
    histogram.reset();
    return lag;
  }
}
