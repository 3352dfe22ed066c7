import { cpus, loadavg, totalmem } from 'os';
import { SERVER_KINDS, RunningServer, ServerKind } from './servers/server-kinds';
import { judgeTargets, TargetResult } from './support/targets';
import { connectRateWorkload } from './workloads/connect-rate.workload';
import { compressedFanOutWorkload, fanOutWorkload } from './workloads/fan-out.workload';
import { idleConnectionsWorkload } from './workloads/idle-connections.workload';
import { latencyWorkload } from './workloads/latency.workload';
import { memoryWorkload } from './workloads/memory.workload';
import { presenceStormWorkload } from './workloads/presence-storm.workload';
import type { BenchSettings, FigureSpec, Figures, Workload, WorkloadContext } from './workloads/workload';

export const WORKLOADS: Workload[] = [fanOutWorkload, compressedFanOutWorkload, latencyWorkload, memoryWorkload, idleConnectionsWorkload, presenceStormWorkload, connectRateWorkload];

export interface FigureResult extends FigureSpec {
  /** By server kind (the median of its runs with `repeat`); null when the run failed or did not include it. */
  values: Record<string, number | null>;
  /** With `repeat` above 1: each run's value, by server kind, in the order they ran. */
  runs?: Record<string, number[]>;
  /** Ours divided by each baseline's value. */
  ratios: { rawWs: number | null; socketIo: number | null };
}

export interface BenchResults {
  date: string;
  seconds: number;
  command: string;
  machine: { cpus: number; cpuModel: string; memoryGiB: number; node: string; platform: string; loadAverageAtStart: number[] };
  settings: BenchSettings;
  servers: Array<{ name: string; description: string }>;
  workloads: Array<{ name: string; seconds: number; figures: FigureResult[]; errors: Record<string, string> }>;
  targets: TargetResult[];
}

export interface BenchRun {
  settings: BenchSettings;
  /** Workload names to run; all when empty. */
  only?: string[];
  /** Server kind names to run; all when empty. */
  servers?: string[];
  /**
   * Runs of each workload on each kind (default 1), in rounds that take the kinds in turn, so that a drift
   * of the machine or a warm-up of the load generator weighs on every kind alike; each figure is the median.
   */
  repeat?: number;
  log?: (line: string) => void;
  command?: string;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function ratio(ours: number | null, theirs: number | null): number | null {
  return ours === null || theirs === null || theirs === 0 ? null : ours / theirs;
}

/** Runs one workload against a fresh server of one kind; the server stops afterwards, then the clients are let go. */
async function runOne(
  workload: Workload,
  kind: ServerKind,
  settings: BenchSettings,
  log: (line: string) => void,
  fail: (message: string) => void,
): Promise<Figures> {
  let server: RunningServer = await kind.start();
  const cleanups: Array<() => void> = [];
  const context: WorkloadContext = {
    kind,
    settings,
    get server() {
      return server;
    },
    log: (line) => log(`  ${kind.name} ${workload.name}: ${line}`),
    restart: async () => {
      await server.stop();
      server = await kind.start();
    },
    afterStop: (cleanup) => cleanups.push(cleanup),
    fail: (message) => {
      log(`  ${kind.name} ${workload.name} FAILED ${message}`);
      fail(message);
    },
  };
  try {
    return await workload.run(context);
  } finally {
    await server.stop();
    for (const cleanup of cleanups) cleanup();
    // Sockets closed by the harness free their descriptors once their close has been handled.
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Runs every workload against every server kind, one after the other, and judges the targets. */
export async function runBench(run: BenchRun): Promise<BenchResults> {
  const log = run.log ?? (() => undefined);
  const started = Date.now();
  const kinds = SERVER_KINDS.filter((kind) => !run.servers?.length || run.servers.includes(kind.name));
  const workloads = WORKLOADS.filter((workload) => !run.only?.length || run.only.includes(workload.name));
  const repeat = run.repeat ?? 1;
  const results: BenchResults = {
    date: new Date(started).toISOString(),
    seconds: 0,
    command: run.command ?? '',
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      loadAverageAtStart: loadavg().map((load) => Math.round(load * 100) / 100),
    },
    settings: run.settings,
    servers: kinds.map(({ name, description }) => ({ name, description })),
    workloads: [],
    targets: [],
  };
  for (const workload of workloads) {
    const workloadStarted = Date.now();
    const measured: Record<string, Figures[]> = {};
    const errors: Record<string, string> = {};
    for (let round = 1; round <= repeat; round++) {
      for (const kind of kinds) {
        if (kind.workloads && !kind.workloads.includes(workload.name)) continue;
        if (workload.kinds && !workload.kinds.includes(kind.name)) continue;
        // A kind whose run threw is not run again.
        if (kind.name in errors && !(kind.name in measured)) continue;
        log(`${workload.name} · ${kind.name}${repeat > 1 ? ` (run ${round} of ${repeat})` : ''}`);
        try {
          const figures = await runOne(workload, kind, run.settings, log, (message) => (errors[kind.name] = message));
          (measured[kind.name] ??= []).push(figures);
        } catch (error) {
          delete measured[kind.name];
          errors[kind.name] = error instanceof Error ? error.message : String(error);
          log(`  ${kind.name} ${workload.name} FAILED: ${errors[kind.name]}`);
        }
      }
    }
    const figures = workload.figures(run.settings).map((spec): FigureResult => {
      const runsOf = (kind: ServerKind) => (measured[kind.name] ?? []).map((figures) => figures[spec.key]).filter((value) => value !== undefined);
      const values = Object.fromEntries(kinds.map((kind) => [kind.name, runsOf(kind).length > 0 ? median(runsOf(kind)) : null]));
      const ours = values['realtime'] ?? null;
      const result: FigureResult = { ...spec, values, ratios: { rawWs: ratio(ours, values['raw-ws'] ?? null), socketIo: ratio(ours, values['socket.io'] ?? null) } };
      if (repeat > 1) result.runs = Object.fromEntries(kinds.map((kind) => [kind.name, runsOf(kind)]));
      return result;
    });
    results.workloads.push({ name: workload.name, seconds: (Date.now() - workloadStarted) / 1000, figures, errors });
  }
  const lookup = (workload: string, figure: string, server: string) =>
    results.workloads.find((entry) => entry.name === workload)?.figures.find((entry) => entry.key === figure)?.values[server] ?? undefined;
  results.targets = judgeTargets(lookup, run.settings);
  results.seconds = (Date.now() - started) / 1000;
  return results;
}
