/** How long events gather before their batch goes out: the first event of a batch waits at most this. */
export const WEBHOOK_BATCH_MS = 100;
/** Most events in one request; a full batch goes out at once. */
export const WEBHOOK_MAX_BATCH = 100;
/** Most events waiting per receiver (a receiver down for long): past it the oldest are dropped, with a warning. */
export const WEBHOOK_MAX_PENDING = 10_000;
/** Tries of one batch: the first, then retries after each of these delays (ms). A batch that fails them all is dropped. */
export const WEBHOOK_RETRY_DELAYS_MS: readonly number[] = [1_000, 5_000];
/** How long one request may take before it counts as failed. */
export const WEBHOOK_TIMEOUT_MS = 5_000;
/** At shutdown: how long the batches still waiting get to go out (one try each). */
export const WEBHOOK_SHUTDOWN_MS = 2_000;
