import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { RealtimeLogger } from '../../logging/realtime.logger';
import type { ResolvedRealtimeOptions } from '../../options/realtime-options.resolver';
import { REALTIME_OPTIONS } from '../../realtime.constants';
import type { CleanupSweeper, CleanupTask } from './cleanup-task.interface';
import { CleanupCounters, CleanupMetrics } from './cleanup.metrics';

interface QueuedTask {
  task: CleanupTask;
  attempts: number;
}

/**
 * Reaps what the realtime server leaves behind, in batches: on every interval it asks its sweepers for
 * work and runs at most `batchSize` queued tasks; a failed task is retried up to `maxRetries` times.
 * Work queued between intervals (a closed connection) is started at once.
 */
@Injectable()
export class CleanupService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly queue = new Map<string, QueuedTask>();
  private readonly sweepers: CleanupSweeper[] = [];
  private readonly counters = new CleanupCounters();
  private readonly logger: RealtimeLogger;
  private interval?: NodeJS.Timeout;
  private immediate?: NodeJS.Immediate;
  private running?: Promise<void>;
  private stopped = false;

  constructor(@Inject(REALTIME_OPTIONS) private readonly options: ResolvedRealtimeOptions) {
    this.logger = new RealtimeLogger('RealtimeCleanup', options.logLevels);
  }

  onApplicationBootstrap(): void {
    this.interval = setInterval(() => void this.runOnce(), this.options.cleanup.interval);
  }

  onModuleDestroy(): void {
    this.stopped = true;
    clearInterval(this.interval);
    if (this.immediate) clearImmediate(this.immediate);
  }

  addSweeper(sweeper: CleanupSweeper): void {
    this.sweepers.push(sweeper);
  }

  /** Queues a task (once per key) and starts a batch soon, without waiting for the interval. */
  enqueue(task: CleanupTask): void {
    if (!this.queue.has(task.key)) this.queue.set(task.key, { task, attempts: 0 });
    this.counters.setPending(this.queue.size);
    if (!this.immediate && !this.stopped) {
      this.immediate = setImmediate(() => {
        this.immediate = undefined;
        void this.drain();
      });
    }
  }

  /** Lock-free snapshot of the counters. */
  metrics(): CleanupMetrics {
    return this.counters.snapshot();
  }

  /** The buffer behind the counters, for a reader on another thread (`CleanupCounters.read`). */
  get metricsBuffer(): SharedArrayBuffer {
    return this.counters.buffer;
  }

  /** One sweep and one batch. */
  async runOnce(): Promise<void> {
    await this.sweep();
    await this.drain();
  }

  /** Runs batches until the queue is empty; for shutdown and tests. */
  async drainAll(): Promise<void> {
    while (this.queue.size > 0) await this.drain();
  }

  private async sweep(): Promise<void> {
    const now = Date.now();
    for (const sweeper of this.sweepers) {
      try {
        for (const task of await sweeper.sweep(now)) if (!this.queue.has(task.key)) this.queue.set(task.key, { task, attempts: 0 });
      } catch (error) {
        this.logger.error(`Cleanup sweeper "${sweeper.name}" failed`, error);
      }
    }
    this.counters.setPending(this.queue.size);
  }

  /** Runs one batch; a batch already running is awaited first, never run twice at once. */
  private async drain(): Promise<void> {
    while (this.running) await this.running;
    this.running = this.runBatch();
    try {
      await this.running;
    } finally {
      this.running = undefined;
    }
  }

  private async runBatch(): Promise<void> {
    const batch: QueuedTask[] = [];
    for (const [key, queued] of this.queue) {
      if (batch.length >= this.options.cleanup.batchSize) break;
      this.queue.delete(key);
      batch.push(queued);
    }
    const outcomes = await Promise.allSettled(batch.map(async ({ task }) => task.run()));
    outcomes.forEach((outcome, index) => {
      const queued = batch[index];
      if (outcome.status === 'fulfilled') return this.counters.processed();
      queued.attempts++;
      if (queued.attempts <= this.options.cleanup.maxRetries) {
        this.counters.retried();
        if (!this.queue.has(queued.task.key)) this.queue.set(queued.task.key, queued);
      } else {
        this.counters.failed();
        this.logger.error(`Cleanup task "${queued.task.key}" failed ${queued.attempts} times; giving up`, outcome.reason);
      }
    });
    this.counters.setPending(this.queue.size);
  }
}
