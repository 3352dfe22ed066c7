import { cpus, loadavg, totalmem } from 'os';
import { SERVER_KINDS, RunningServer, ServerKind } from './servers/server-kinds';
import { judgeTargets, TargetResult } from './support/targets';
import { connectRateWorkload } from './workloads/connect-rate.workload';
import { fanOutWorkload } from './workloads/fan-out.workload';
import { latencyWorkload } from './workloads/latency.workload';
import { memoryWorkload } from './workloads/memory.workload';
import { presenceStormWorkload } from './workloads/presence-storm.workload';
import type { BenchSettings, FigureSpec, Figures, Workload, WorkloadContext } from './workloads/workload';

export const WORKLOADS: Workload[] = [fanOutWorkload, latencyWorkload, memoryWorkload, presenceStormWorkload, connectRateWorkload];

export interface FigureResult extends FigureSpec {
  /** By server kind; null when the run failed or did not include it. */
  values: Record<string, number | null>;
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
  log?: (line: string) => void;
  command?: string;
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
    const measured: Record<string, Figures | null> = {};
    const errors: Record<string, string> = {};
    for (const kind of kinds) {
      log(`${workload.name} · ${kind.name}`);
      try {
        measured[kind.name] = await runOne(workload, kind, run.settings, log, (message) => (errors[kind.name] = message));
      } catch (error) {
        measured[kind.name] = null;
        errors[kind.name] = error instanceof Error ? error.message : String(error);
        log(`  ${kind.name} ${workload.name} FAILED: ${errors[kind.name]}`);
      }
    }
    const figures = workload.figures(run.settings).map((spec): FigureResult => {
      const values = Object.fromEntries(kinds.map((kind) => [kind.name, measured[kind.name]?.[spec.key] ?? null]));
      const ours = values['realtime'] ?? null;
      return { ...spec, values, ratios: { rawWs: ratio(ours, values['raw-ws'] ?? null), socketIo: ratio(ours, values['socket.io'] ?? null) } };
    });
    results.workloads.push({ name: workload.name, seconds: (Date.now() - workloadStarted) / 1000, figures, errors });
  }
  const lookup = (workload: string, figure: string, server: string) =>
    results.workloads.find((entry) => entry.name === workload)?.figures.find((entry) => entry.key === figure)?.values[server] ?? undefined;
  results.targets = judgeTargets(lookup, run.settings);
  results.seconds = (Date.now() - started) / 1000;
  return results;
}
