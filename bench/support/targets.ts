import type { BenchSettings } from '../workloads/workload';

/** value(workload, figure, server), undefined when it was not measured in this run. */
export type Lookup = (workload: string, figure: string, server: string) => number | undefined;

export interface TargetResult {
  target: string;
  /** null: not measured in this run. */
  met: boolean | null;
  /** The numbers it was judged on. */
  figure: string;
}

const OURS = 'realtime';
const TWO_NODES = 'realtime-2-nodes';
const fixed = (value: number, digits = 2) => value.toFixed(digits);
const KiB = 1024;

function judge(target: string, values: Array<number | undefined>, check: (...values: number[]) => [boolean, string]): TargetResult {
  if (values.some((value) => value === undefined || !Number.isFinite(value))) return { target, met: null, figure: 'not measured in this run' };
  const [met, figure] = check(...(values as number[]));
  return { target, met, figure };
}

/** The issue's targets, judged on the ratios of this one run. */
export function judgeTargets(value: Lookup, settings: BenchSettings): TargetResult[] {
  const sizes = settings.presenceStorm.sizes;
  const smallest = sizes[0];
  const largest = sizes[sizes.length - 1];
  const at2000 = sizes.includes(2000) ? 2000 : largest;
  const idle = (server: string) => [value('idle-connections', 'connections', server), value('idle-connections', 'rssPerConnection', server)];
  const asked = settings.idle.connections;
  const rawIdleCpu = value('idle-connections', 'cpuPercent', 'raw-ws');
  const held = (connections: number) => `${fixed(connections, 0)} connections${connections < asked ? ` (of ${asked} asked: one server process's open-file limit)` : ''}`;
  const stormMiB = (server: string) => value('presence-storm', `mib@${at2000}`, server);
  const perClient = (mib: number) => `${fixed((mib * KiB) / at2000, 1)} KiB`;
  return [
    judge('fan-out deliveries/s ≥ 3× raw ws', [value('fan-out', 'deliveriesPerSecond', OURS), value('fan-out', 'deliveriesPerSecond', 'raw-ws')], (ours, raw) => [
      ours >= 3 * raw,
      `${fixed(ours / raw)}× raw ws`,
    ]),
    judge('fan-out deliveries/s ≥ 3× Socket.IO', [value('fan-out', 'deliveriesPerSecond', OURS), value('fan-out', 'deliveriesPerSecond', 'socket.io')], (ours, io) => [
      ours >= 3 * io,
      `${fixed(ours / io)}× Socket.IO`,
    ]),
    judge(
      'metrics on (scraped every second): fan-out deliveries/s within 5% of metrics off',
      [
        value('fan-out', 'deliveriesPerSecond', 'realtime-metrics'),
        value('fan-out', 'deliveriesPerSecond', OURS),
        value('fan-out', 'cpuMicrosPerDelivery', 'realtime-metrics'),
        value('fan-out', 'cpuMicrosPerDelivery', OURS),
      ],
      (on, off, cpuOn, cpuOff) => [
        on >= 0.95 * off,
        `${fixed(on, 0)}/s vs ${fixed(off, 0)}/s: ${fixed((on / off - 1) * 100, 1)}%; server CPU per delivery ${fixed(cpuOn, 3)} µs vs ${fixed(cpuOff, 3)} µs`,
      ],
    ),
    judge(
      'Pusher protocol (realtime-pusher): fan-out deliveries/s ≥ 0.8 × the native protocol\'s (the bench\'s own bar)',
      [
        value('fan-out', 'deliveriesPerSecond', 'realtime-pusher'),
        value('fan-out', 'deliveriesPerSecond', OURS),
        value('fan-out', 'cpuMicrosPerDelivery', 'realtime-pusher'),
        value('fan-out', 'cpuMicrosPerDelivery', OURS),
      ],
      (pusher, native, cpuPusher, cpuNative) => [
        pusher >= 0.8 * native,
        `${fixed(pusher, 0)}/s vs ${fixed(native, 0)}/s: ${fixed(pusher / native)}×; server CPU per delivery ${fixed(cpuPusher, 3)} µs vs ${fixed(cpuNative, 3)} µs: ${fixed(cpuPusher / cpuNative)}×`,
      ],
    ),
    judge(
      'compressed fan-out (realtime-deflate): deliveries/s ≥ raw ws with permessage-deflate\'s (the bench\'s own bar)',
      [
        value('fan-out-deflate', 'deliveriesPerSecond', 'realtime-deflate'),
        value('fan-out-deflate', 'deliveriesPerSecond', 'raw-ws-deflate'),
        value('fan-out-deflate', 'cpuMicrosPerDelivery', 'realtime-deflate'),
        value('fan-out-deflate', 'cpuMicrosPerDelivery', 'raw-ws-deflate'),
      ],
      (ours, raw, cpuOurs, cpuRaw) => [
        ours >= raw,
        `${fixed(ours, 0)}/s vs ${fixed(raw, 0)}/s: ${fixed(ours / raw)}×; server CPU per delivery ${fixed(cpuOurs, 3)} µs vs ${fixed(cpuRaw, 3)} µs: 1/${fixed(cpuRaw / cpuOurs, 1)}`,
      ],
    ),
    judge('fan-out server CPU per delivery ≤ 1/3 of raw ws', [value('fan-out', 'cpuMicrosPerDelivery', OURS), value('fan-out', 'cpuMicrosPerDelivery', 'raw-ws')], (ours, raw) => [
      ours <= raw / 3,
      `${fixed(ours, 3)} µs vs ${fixed(raw, 3)} µs: 1/${fixed(raw / ours, 1)}`,
    ]),
    judge('latency p50 ≤ 1.1 × raw ws p50', [value('latency', 'p50', OURS), value('latency', 'p50', 'raw-ws')], (ours, raw) => [
      ours <= 1.1 * raw,
      `${fixed(ours)} ms vs ${fixed(raw)} ms: ${fixed(ours / raw)}×`,
    ]),
    judge('latency p99 ≤ 1.2 × raw ws p99', [value('latency', 'p99', OURS), value('latency', 'p99', 'raw-ws')], (ours, raw) => [
      ours <= 1.2 * raw,
      `${fixed(ours)} ms vs ${fixed(raw)} ms: ${fixed(ours / raw)}×`,
    ]),
    judge('memory (RSS) per idle connection with presence ≤ 1.5 × raw ws', [value('memory', 'rssPerConnection', OURS), value('memory', 'rssPerConnection', 'raw-ws')], (ours, raw) => [
      ours <= 1.5 * raw,
      `${fixed(ours, 1)} KiB vs ${fixed(raw, 1)} KiB: ${fixed(ours / raw)}×`,
    ]),
    judge('memory (heap) per idle connection with presence ≤ 1.5 × raw ws', [value('memory', 'heapPerConnection', OURS), value('memory', 'heapPerConnection', 'raw-ws')], (ours, raw) => [
      ours <= 1.5 * raw,
      `${fixed(ours, 1)} KiB vs ${fixed(raw, 1)} KiB: ${fixed(ours / raw)}×`,
    ]),
    judge('idle connections with presence and the heartbeat: RSS per connection ≤ 1.3 × raw ws', [...idle(OURS), ...idle('raw-ws')], (n, ours, rawN, raw) => [
      ours <= 1.3 * raw,
      `${fixed(ours, 2)} KiB vs ${fixed(raw, 2)} KiB: ${fixed(ours / raw)}×, at ${held(n)}${rawN !== n ? ` (raw ws: ${fixed(rawN, 0)})` : ''}`,
    ]),
    judge('idle connections: server CPU ≤ 10% of one core', [value('idle-connections', 'connections', OURS), value('idle-connections', 'cpuPercent', OURS)], (n, ours) => [
      ours <= 10,
      `${fixed(ours)}% at ${held(n)}${rawIdleCpu === undefined ? '' : ` (raw ws ${fixed(rawIdleCpu)}%)`}`,
    ]),
    judge(
      'two nodes through Redis (realtime-2-nodes): fan-out deliveries/s ≥ 1/2 of one node\'s',
      [value('fan-out', 'deliveriesPerSecond', TWO_NODES), value('fan-out', 'deliveriesPerSecond', OURS)],
      (two, one) => [two >= one / 2, `${fixed(two, 0)}/s vs ${fixed(one, 0)}/s: ${fixed(two / one)}×`],
    ),
    judge('connection rate (connect to welcome) ≥ 1.0 × raw ws', [value('connect-rate', 'connectsPerSecond', OURS), value('connect-rate', 'connectsPerSecond', 'raw-ws')], (ours, raw) => [
      ours >= raw,
      `${fixed(ours, 0)}/s vs ${fixed(raw, 0)}/s: ${fixed(ours / raw)}×`,
    ]),
    judge(
      `presence storm frames grow linearly with N (frames per client at ${largest} ≤ 1.5 × at ${smallest}; N² would be ${fixed(largest / smallest, 0)}×)`,
      [value('presence-storm', `framesPerClient@${largest}`, OURS), value('presence-storm', `framesPerClient@${smallest}`, OURS)],
      (big, small) => [largest > smallest && big <= 1.5 * small, `${fixed(small, 1)} → ${fixed(big, 1)} frames per client: ${fixed(big / small)}×`],
    ),
    judge(`presence storm time at ${at2000} ≤ 1/5 of Socket.IO's`, [value('presence-storm', `ms@${at2000}`, OURS), value('presence-storm', `ms@${at2000}`, 'socket.io')], (ours, io) => [
      ours <= io / 5,
      `${fixed(ours, 0)} ms vs ${fixed(io, 0)} ms: 1/${fixed(io / ours, 1)}`,
    ]),
    judge(`presence storm bytes per client at ${at2000} ≤ 1.2 × Socket.IO's`, [stormMiB(OURS), stormMiB('socket.io')], (ours, io) => [
      ours <= 1.2 * io,
      `${perClient(ours)} vs ${perClient(io)}: ${fixed(ours / io)}×`,
    ]),
    judge(`presence storm bytes per client at ${at2000} on two nodes (realtime-2-nodes) ≤ 1.2 × one node's`, [stormMiB(TWO_NODES), stormMiB(OURS)], (two, one) => [
      two <= 1.2 * one,
      `${perClient(two)} vs ${perClient(one)}: ${fixed(two / one)}×`,
    ]),
  ];
}
