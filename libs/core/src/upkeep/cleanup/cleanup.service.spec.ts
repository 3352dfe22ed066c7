import { resolveRealtimeOptions } from '../../options/realtime-options.resolver';
import type { CleanupOptions } from '../../options/realtime-options.interface';
import type { CleanupTask } from './cleanup-task.interface';
import { CleanupCounters } from './cleanup.metrics';
import { CleanupService } from './cleanup.service';

/** Lets the promise callbacks queued so far run (no timer involved). */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

describe('CleanupService', () => {
  let cleanup: CleanupService;
  let ran: string[];

  function service(options: CleanupOptions = {}): CleanupService {
    return new CleanupService(resolveRealtimeOptions({ cleanup: options, logLevels: [] }));
  }

  function task(key: string, run: () => void | Promise<void> = () => undefined): CleanupTask {
    return {
      key,
      run: () => {
        ran.push(key);
        return run();
      },
    };
  }

  /** A task that fails its first `failures` runs. */
  function flaky(key: string, failures: number): CleanupTask {
    let left = failures;
    return task(key, () => {
      if (left-- > 0) throw new Error(`${key} failed`);
    });
  }

  beforeEach(() => {
    jest.useFakeTimers();
    ran = [];
    cleanup = service({ batchSize: 2, maxRetries: 2 });
  });

  afterEach(() => {
    cleanup.onModuleDestroy();
    jest.useRealTimers();
  });

  describe('batching', () => {
    it('runs at most batchSize tasks in one batch, in the order they were queued', async () => {
      for (const key of ['t1', 't2', 't3', 't4', 't5']) cleanup.enqueue(task(key));
      expect(cleanup.metrics()).toEqual({ processed: 0, failed: 0, retried: 0, pending: 5 });

      await cleanup.runOnce();

      expect(ran).toEqual(['t1', 't2']);
      expect(cleanup.metrics()).toEqual({ processed: 2, failed: 0, retried: 0, pending: 3 });

      await cleanup.runOnce();
      expect(ran).toEqual(['t1', 't2', 't3', 't4']);
      expect(cleanup.metrics().pending).toBe(1);
    });

    it('runs the tasks of one batch concurrently', async () => {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      cleanup.enqueue(task('a', () => gate));
      cleanup.enqueue(task('b', () => gate));

      const batch = cleanup.runOnce();
      await settle();
      expect(ran).toEqual(['a', 'b']);
      expect(cleanup.metrics().processed).toBe(0);
      release();
      await batch;
      expect(cleanup.metrics().processed).toBe(2);
    });

    it('queues a key once while it waits', async () => {
      cleanup.enqueue(task('connection:c1'));
      cleanup.enqueue(task('connection:c1'));

      expect(cleanup.metrics().pending).toBe(1);
      await cleanup.drainAll();
      expect(ran).toEqual(['connection:c1']);
    });

    it('starts a batch at once when work is queued, without waiting for the interval', async () => {
      cleanup.enqueue(task('connection:c1'));
      expect(ran).toEqual([]);

      jest.runOnlyPendingTimers();
      await settle();

      expect(ran).toEqual(['connection:c1']);
      expect(cleanup.metrics()).toEqual({ processed: 1, failed: 0, retried: 0, pending: 0 });
    });

    it('starts only one immediate batch for a burst of work', async () => {
      for (const key of ['t1', 't2', 't3', 't4', 't5']) cleanup.enqueue(task(key));

      jest.runOnlyPendingTimers();
      await settle();

      expect(ran).toEqual(['t1', 't2']);
      expect(cleanup.metrics().pending).toBe(3);
    });

    it('never runs two batches at once', async () => {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      for (const key of ['t1', 't2', 't3']) cleanup.enqueue(task(key, key === 't1' ? () => gate : undefined));

      const first = cleanup.runOnce();
      const second = cleanup.runOnce();
      await settle();
      expect(ran).toEqual(['t1', 't2']);
      release();
      await Promise.all([first, second]);
      expect(ran).toEqual(['t1', 't2', 't3']);
    });

    it('drains every batch with drainAll', async () => {
      for (let i = 0; i < 7; i++) cleanup.enqueue(task(`t${i}`));

      await cleanup.drainAll();

      expect(ran).toHaveLength(7);
      expect(cleanup.metrics()).toEqual({ processed: 7, failed: 0, retried: 0, pending: 0 });
    });
  });

  describe('retries', () => {
    it('retries a failed task up to maxRetries times, then counts it failed', async () => {
      cleanup.enqueue(flaky('bad', Infinity));

      await cleanup.runOnce();
      expect(cleanup.metrics()).toEqual({ processed: 0, failed: 0, retried: 1, pending: 1 });
      await cleanup.runOnce();
      expect(cleanup.metrics()).toEqual({ processed: 0, failed: 0, retried: 2, pending: 1 });
      await cleanup.runOnce();
      expect(cleanup.metrics()).toEqual({ processed: 0, failed: 1, retried: 2, pending: 0 });
      await cleanup.runOnce();

      expect(ran).toEqual(['bad', 'bad', 'bad']);
    });

    it('counts a task that succeeds on a retry as processed', async () => {
      cleanup.enqueue(flaky('once', 1));

      await cleanup.drainAll();

      expect(ran).toEqual(['once', 'once']);
      expect(cleanup.metrics()).toEqual({ processed: 1, failed: 0, retried: 1, pending: 0 });
    });

    it('counts a rejected promise like a throw', async () => {
      cleanup.enqueue(task('async', () => Promise.reject(new Error('nope'))));

      await cleanup.drainAll();

      expect(ran).toEqual(['async', 'async', 'async']);
      expect(cleanup.metrics()).toEqual({ processed: 0, failed: 1, retried: 2, pending: 0 });
    });

    it('gives up at once with maxRetries 0', async () => {
      const strict = service({ maxRetries: 0 });
      strict.enqueue(flaky('bad', 1));

      await strict.drainAll();

      expect(ran).toEqual(['bad']);
      expect(strict.metrics()).toEqual({ processed: 0, failed: 1, retried: 0, pending: 0 });
      strict.onModuleDestroy();
    });

    it('puts a retried task behind the work already waiting', async () => {
      cleanup.enqueue(flaky('flaky', 1));
      cleanup.enqueue(task('t2'));
      cleanup.enqueue(task('t3'));

      await cleanup.runOnce();
      await cleanup.runOnce();

      expect(ran).toEqual(['flaky', 't2', 't3', 'flaky']);
      expect(cleanup.metrics()).toEqual({ processed: 3, failed: 0, retried: 1, pending: 0 });
    });

    it('keeps the other tasks of a batch going when one fails', async () => {
      cleanup.enqueue(flaky('bad', Infinity));
      cleanup.enqueue(task('good'));

      await cleanup.runOnce();

      expect(cleanup.metrics()).toEqual({ processed: 1, failed: 0, retried: 1, pending: 1 });
    });
  });

  describe('sweepers', () => {
    it('queues what each sweeper finds, with the sweep time', async () => {
      jest.setSystemTime(5000);
      const sweep = jest.fn(() => [task('s1'), task('s2'), task('s3')]);
      cleanup.addSweeper({ name: 'test', sweep });

      await cleanup.runOnce();

      expect(sweep).toHaveBeenCalledWith(5000);
      expect(ran).toEqual(['s1', 's2']);
      expect(cleanup.metrics().pending).toBe(1);
    });

    it('does not queue a key found again while it still waits', async () => {
      cleanup.addSweeper({ name: 'same', sweep: () => [task('k1'), task('k2'), task('k3')] });

      await cleanup.runOnce();
      await cleanup.runOnce();

      expect(ran).toEqual(['k1', 'k2', 'k3', 'k1']);
    });

    it('goes on with the other sweepers when one fails', async () => {
      cleanup.addSweeper({ name: 'broken', sweep: () => Promise.reject(new Error('boom')) });
      cleanup.addSweeper({ name: 'fine', sweep: async () => [task('ok')] });

      await cleanup.runOnce();

      expect(ran).toEqual(['ok']);
    });

    it('sweeps on every interval once the application has started', async () => {
      const timed = service({ interval: 250 });
      const sweep = jest.fn(() => []);
      timed.addSweeper({ name: 'timed', sweep });
      timed.onApplicationBootstrap();

      await jest.advanceTimersByTimeAsync(749);
      expect(sweep).toHaveBeenCalledTimes(2);
      await jest.advanceTimersByTimeAsync(1);
      expect(sweep).toHaveBeenCalledTimes(3);

      timed.onModuleDestroy();
      await jest.advanceTimersByTimeAsync(1000);
      expect(sweep).toHaveBeenCalledTimes(3);
    });
  });

  it('starts nothing by itself once destroyed', async () => {
    cleanup.onModuleDestroy();
    cleanup.enqueue(task('late'));

    jest.runOnlyPendingTimers();
    await settle();

    expect(ran).toEqual([]);
    expect(cleanup.metrics().pending).toBe(1);
  });

  it('exposes its counters in a SharedArrayBuffer that CleanupCounters.read understands', async () => {
    cleanup.enqueue(task('t1'));
    cleanup.enqueue(flaky('t2', 1));
    await cleanup.runOnce();

    expect(cleanup.metricsBuffer).toBeInstanceOf(SharedArrayBuffer);
    expect(CleanupCounters.read(cleanup.metricsBuffer)).toEqual({ processed: 1, failed: 0, retried: 1, pending: 1 });
    expect(CleanupCounters.read(cleanup.metricsBuffer)).toEqual(cleanup.metrics());
  });
});
