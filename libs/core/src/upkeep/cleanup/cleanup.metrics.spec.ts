import { readFileSync } from 'fs';
import { join } from 'path';
import * as ts from 'typescript';
import { Worker } from 'worker_threads';
import { CleanupCounters, CleanupMetrics } from './cleanup.metrics';

describe('CleanupCounters', () => {
  it('starts at zero', () => {
    expect(new CleanupCounters().snapshot()).toEqual({ processed: 0, failed: 0, retried: 0, pending: 0 });
  });

  it('adds to processed, failed and retried, and sets pending', () => {
    const counters = new CleanupCounters();
    counters.processed();
    counters.processed(4);
    counters.failed();
    counters.retried(2);
    counters.setPending(9);
    counters.setPending(3);

    expect(counters.snapshot()).toEqual({ processed: 5, failed: 1, retried: 2, pending: 3 });
  });

  it('lives in a SharedArrayBuffer of four 64-bit cells that read() decodes', () => {
    const counters = new CleanupCounters();
    counters.processed(7);
    counters.setPending(2);

    expect(counters.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(counters.buffer.byteLength).toBe(32);
    expect(CleanupCounters.read(counters.buffer)).toEqual({ processed: 7, failed: 0, retried: 0, pending: 2 });
    expect(Array.from(new BigInt64Array(counters.buffer))).toEqual([7n, 0n, 0n, 2n]);
  });

  it('gives snapshots that later updates do not change', () => {
    const counters = new CleanupCounters();
    const before = counters.snapshot();
    counters.processed();

    expect(before.processed).toBe(0);
    expect(counters.snapshot().processed).toBe(1);
  });

  describe('read from another thread', () => {
    let worker: Worker;

    /**
     * A worker that loads this very cleanup.metrics module (transpiled, as it has no imports) and answers
     * each "read" with CleanupCounters.read on the buffer it was handed once, at start.
     */
    function startReader(buffer: SharedArrayBuffer): Promise<void> {
      const source = ts.transpileModule(readFileSync(join(__dirname, 'cleanup.metrics.ts'), 'utf8'), {
        compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
      }).outputText;
      worker = new Worker(
        `
        const { parentPort, workerData } = require('worker_threads');
        const exports = {};
        new Function('exports', workerData.source)(exports);
        parentPort.on('message', () => parentPort.postMessage(exports.CleanupCounters.read(workerData.buffer)));
        parentPort.postMessage('ready');
        `,
        { eval: true, workerData: { buffer, source } },
      );
      return new Promise((resolve, reject) => {
        worker.once('error', reject);
        worker.once('message', () => resolve());
      });
    }

    function readInWorker(): Promise<CleanupMetrics> {
      return new Promise((resolve) => {
        worker.once('message', resolve);
        worker.postMessage('read');
      });
    }

    afterEach(async () => {
      await worker?.terminate();
    });

    it('sees every update made after the buffer was shared, without the buffer being sent again', async () => {
      const counters = new CleanupCounters();
      counters.processed(3);
      await startReader(counters.buffer);

      expect(await readInWorker()).toEqual({ processed: 3, failed: 0, retried: 0, pending: 0 });

      counters.processed(2);
      counters.failed();
      counters.retried(4);
      counters.setPending(11);

      expect(await readInWorker()).toEqual({ processed: 5, failed: 1, retried: 4, pending: 11 });
    });

    it('sees the writes the worker makes to the same memory', async () => {
      const counters = new CleanupCounters();
      await startReader(counters.buffer);
      const writer = new Worker(
        `
        const { workerData, parentPort } = require('worker_threads');
        const cells = new BigInt64Array(workerData);
        for (let i = 0; i < 1000; i++) Atomics.add(cells, 0, 1n);
        parentPort.postMessage('done');
        `,
        { eval: true, workerData: counters.buffer },
      );
      const done = new Promise((resolve) => writer.once('message', resolve));
      for (let i = 0; i < 1000; i++) counters.processed();
      await done;
      await writer.terminate();

      expect(counters.snapshot().processed).toBe(2000);
      expect((await readInWorker()).processed).toBe(2000);
    });
  });
});
