/** The shortest time between two batches of a drain, in ms: many connections close in batches, few one by one. */
export const DRAIN_BATCH_INTERVAL_MS = 100;

/**
 * How many of `total` connections a drain has closed `elapsed` ms into its window: the k-th at
 * `k × window / (total + 1)`, evenly spaced with as much time before the first as after the last (for the
 * last close handshakes), whatever the number; every one once the window is over.
 */
export function closedBy(total: number, elapsed: number, window: number): number {
  if (elapsed >= window) return total;
  return Math.min(total, Math.floor(((total + 1) * elapsed) / window));
}

/** ms into the window when the next close falls due, `closed` of `total` being closed already. */
export function nextCloseAt(closed: number, total: number, window: number): number {
  return Math.ceil(((closed + 1) * window) / (total + 1));
}
