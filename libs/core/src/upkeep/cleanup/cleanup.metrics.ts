/** A snapshot of the cleanup counters. */
export interface CleanupMetrics {
  /** Tasks that finished. */
  processed: number;
  /** Tasks given up after their last retry. */
  failed: number;
  /** Failed attempts that were put back for another try. */
  retried: number;
  /** Tasks waiting now. */
  pending: number;
}

const PROCESSED = 0;
const FAILED = 1;
const RETRIED = 2;
const PENDING = 3;

/**
 * The cleanup counters, as 64-bit integers on a SharedArrayBuffer updated with `Atomics`: a worker
 * or a metrics exporter holding the same buffer reads them without a lock.
 */
export class CleanupCounters {
  readonly buffer = new SharedArrayBuffer(4 * BigInt64Array.BYTES_PER_ELEMENT);
  private readonly cells = new BigInt64Array(this.buffer);

  processed(count = 1): void {
    Atomics.add(this.cells, PROCESSED, BigInt(count));
  }

  failed(count = 1): void {
    Atomics.add(this.cells, FAILED, BigInt(count));
  }

  retried(count = 1): void {
    Atomics.add(this.cells, RETRIED, BigInt(count));
  }

  setPending(count: number): void {
    Atomics.store(this.cells, PENDING, BigInt(count));
  }

  snapshot(): CleanupMetrics {
    return CleanupCounters.read(this.buffer);
  }

  /** Reads counters from a buffer shared by another thread. */
  static read(buffer: SharedArrayBuffer): CleanupMetrics {
    const cells = new BigInt64Array(buffer);
    return {
      processed: Number(Atomics.load(cells, PROCESSED)),
      failed: Number(Atomics.load(cells, FAILED)),
      retried: Number(Atomics.load(cells, RETRIED)),
      pending: Number(Atomics.load(cells, PENDING)),
    };
  }
}
