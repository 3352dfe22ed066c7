import { LoadGenerators } from '../support/load-generator';
import type { Usage } from '../support/server-process';
import { idleConnections } from '../support/settings';
import { socketLimitReason } from '../support/system-limits';
import { BenchSettings, warmEmptyUsage, Workload } from './workload';

const MiB = 1024 * 1024;

/** What stops the run short of the connections asked for, if anything does. */
function heldLabel(settings: BenchSettings): string {
  const asked = settings.idle.connections;
  const held = idleConnections(settings);
  if (held >= asked) return `idle: connections held (${asked.toLocaleString('en-US')} asked)`;
  return `idle: connections held (${asked.toLocaleString('en-US')} asked; one server process may hold ${held.toLocaleString('en-US')}: ${socketLimitReason(asked)})`;
}

/**
 * As many idle connections as one server process may hold (up to `idle.connections`), each in a presence
 * room of `idle.roomSize` with a name in its meta, the heartbeat on, opened from load-generator processes
 * over source addresses 127.0.0.2 upward. The server's CPU over `idle.cpuSeconds`, with nothing but the
 * heartbeat and its own upkeep running, and the longest its event loop was held meanwhile; then its RSS and
 * heap after forced collections, minus the empty (warmed-up) server's, per connection.
 */
export const idleConnectionsWorkload: Workload = {
  name: 'idle-connections',
  kinds: ['raw-ws', 'realtime'],
  figures: (settings) => [
    { key: 'connections', label: heldLabel(settings), unit: '', better: 'higher' },
    { key: 'rssPerConnection', label: `idle: RSS per connection (presence rooms of ${settings.idle.roomSize}, heartbeat on)`, unit: 'KiB', better: 'lower' },
    { key: 'heapPerConnection', label: 'idle: heap per connection', unit: 'KiB', better: 'lower' },
    { key: 'cpuPercent', label: `idle: server CPU over ${settings.idle.cpuSeconds} s (% of one core)`, unit: '%', better: 'lower' },
    { key: 'longestStallMs', label: 'idle: longest the event loop was held in that time (heartbeat rounds, sweeps)', unit: 'ms', better: 'lower' },
  ],

  async run(context) {
    const { kind, settings, log } = context;
    const { roomSize, cpuSeconds } = settings.idle;
    const connections = idleConnections(settings);
    const empty = await warmEmptyUsage(context, roomSize, connections);
    const started = performance.now();
    const generators = await LoadGenerators.open(kind.name, connections, roomSize, (index) => context.server.urlFor(index));
    context.afterStop(() => generators.close());
    log(`${connections} connections in rooms in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    const before = await context.server.usage();
    const since = performance.now();
    await new Promise((resolve) => setTimeout(resolve, cpuSeconds * 1000));
    const after = await context.server.usage();
    const cpuPercent = ((after.cpuMicros - before.cpuMicros) / ((performance.now() - since) * 1000)) * 100;
    // Memory is read once the server has been idle a while: what the opening's peak left (heap pages, freed
    // buffers) has had time to go back (read right after the joins, both servers' RSS was higher).
    const loaded = await context.server.usage(true);
    const memory = ({ rss, heapUsed, heapTotal, external }: Usage) =>
      `RSS ${(rss / MiB).toFixed(1)} MiB, heap ${(heapUsed / MiB).toFixed(1)} of ${(heapTotal / MiB).toFixed(1)} MiB, external ${(external / MiB).toFixed(1)} MiB`;
    log(`empty: ${memory(empty)}; with ${connections}: ${memory(loaded)}; idle CPU ${cpuPercent.toFixed(2)}% of a core, ` +
      `the event loop held ${after.longestStallMs.toFixed(0)} ms at most`);
    return {
      connections,
      rssPerConnection: (loaded.rss - empty.rss) / connections / 1024,
      heapPerConnection: (loaded.heapUsed - empty.heapUsed) / connections / 1024,
      cpuPercent,
      longestStallMs: after.longestStallMs,
    };
  },
};
