import type { BenchResults } from '../harness';

function format(value: number | null, unit: string): string {
  if (value === null || !Number.isFinite(value)) return '–';
  if (unit === '/s' || (unit === '' && Math.abs(value) >= 100)) return Math.round(value).toLocaleString('en-US');
  if (unit === 'µs') return value.toFixed(3);
  if (unit === 'ms' && value >= 100) return value.toFixed(0);
  return value.toFixed(value >= 10 ? 1 : 2);
}

const times = (value: number | null) => (value === null || !Number.isFinite(value) ? '–' : `${value.toFixed(2)}×`);

/** The results as a Markdown table (what the README shows), then the targets and anything that failed. */
export function renderReport(results: BenchResults): string {
  const servers = results.servers.map((server) => server.name);
  const lines = [
    `| figure | unit | better | ${servers.join(' | ')} | ours ÷ raw ws | ours ÷ Socket.IO |`,
    `| --- | --- | --- | ${servers.map(() => '---:').join(' | ')} | ---: | ---: |`,
  ];
  for (const workload of results.workloads) {
    for (const figure of workload.figures) {
      const cells = servers.map((server) => format(figure.values[server] ?? null, figure.unit));
      lines.push(`| ${figure.label} | ${figure.unit} | ${figure.better} | ${cells.join(' | ')} | ${times(figure.ratios.rawWs)} | ${times(figure.ratios.socketIo)} |`);
    }
  }
  lines.push('', '| target | met | figure |', '| --- | --- | --- |');
  for (const target of results.targets) {
    lines.push(`| ${target.target} | ${target.met === null ? 'not measured' : target.met ? 'yes' : '**no**'} | ${target.figure} |`);
  }
  for (const workload of results.workloads) {
    for (const [server, error] of Object.entries(workload.errors)) lines.push('', `${workload.name} on ${server} failed: ${error}`);
  }
  const { machine } = results;
  const runs = results.workloads.flatMap((workload) => workload.figures).find((figure) => figure.runs)?.runs;
  const repeated = runs ? ` · each figure the median of ${Math.max(...Object.values(runs).map((values) => values.length))} runs per server` : '';
  lines.push(
    '',
    `${results.date.slice(0, 10)} · ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.platform} · ` +
      `load average at start ${machine.loadAverageAtStart.join(' ')} · ${Math.round(results.seconds)} s${repeated}` +
      results.workloads.map((workload) => ` · ${workload.name} ${Math.round(workload.seconds)} s`).join(''),
  );
  return lines.join('\n');
}
