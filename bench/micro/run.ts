import { Bench } from 'tinybench';
import { broadcastSuite } from './broadcast.micro';
import { frameParseSuite } from './frame-parse.micro';
import type { MicroSuite } from './micro-suite';
import { presenceDiffSuite } from './presence-diff.micro';
import { presenceStateSuite } from './presence-state.micro';

const SUITES: MicroSuite[] = [broadcastSuite, presenceDiffSuite, frameParseSuite, presenceStateSuite];

function nanoseconds(ms: number): string {
  return `${Math.round(ms * 1e6).toLocaleString('en-US')} ns`;
}

/** `npm run bench:micro`: each hot path against the naive way of doing the same work, in one process. */
async function main(): Promise<void> {
  for (const suite of SUITES) {
    const bench = new Bench({ name: suite.name, time: 1000, warmupTime: 200 });
    for (const [name, task] of Object.entries(await suite.tasks())) bench.add(name, task);
    await bench.run();
    const rows = bench.tasks.map((task) => {
      const result = task.result as { latency?: { mean: number; rme: number }; throughput?: { mean: number } };
      const mean = result.latency?.mean ?? NaN;
      return {
        task: task.name,
        'per run': nanoseconds(mean),
        [`per ${suite.per.label}`]: nanoseconds(mean / suite.per.count),
        '±': `${(result.latency?.rme ?? NaN).toFixed(1)} %`,
        runs: (result as { latency?: { samplesCount?: number } }).latency?.samplesCount ?? '',
      };
    });
    const baseline = (bench.tasks[0].result as { latency?: { mean: number } }).latency?.mean ?? NaN;
    const ours = (bench.tasks[bench.tasks.length - 1].result as { latency?: { mean: number } }).latency?.mean ?? NaN;
    console.log(`\n${suite.name} (${suite.per.count} ${suite.per.plural} per run): the library takes ${(ours / baseline).toFixed(2)}× the time of "${bench.tasks[0].name}"`);
    console.table(rows);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
