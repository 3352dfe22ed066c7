import { Inject, Injectable, OnApplicationShutdown, OnModuleInit, Type } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { collectDefaultMetrics, Counter, Gauge, Histogram } from 'prom-client';
import type { RealtimeEngine } from '../engine/realtime-engine.interface';
import { RealtimeHooksRunner } from '../hooks/hooks.runner';
import { MetricsMiddleware } from '../pipeline/middleware/metrics.middleware';
import { REALTIME_ENGINE } from '../realtime.constants';
import { METRICS_NEED_REALTIME_MODULE } from '../realtime.messages';
import { ChannelService } from '../services/channel/channel.service';
import { ConnectionRegistry } from '../services/connection/connection.registry';
import { errorsSent } from '../transport/outbound/errors-sent';
import { PublishWriteTimer } from '../transport/outbound/publish-write.timer';
import { CleanupCounters } from '../upkeep/cleanup/cleanup.metrics';
import { CleanupService } from '../upkeep/cleanup/cleanup.service';
import { ClusterSweepers } from '../upkeep/cluster/cluster.sweepers';
import { EventLoopLagMonitor } from './event-loop-lag.monitor';
import { REALTIME_METRICS_OPTIONS } from './metrics.constants';
import type { ResolvedRealtimeMetricsOptions } from './realtime-metrics.options';

type Labels = Record<string, string | number>;
/** What a metric reads at scrape time: its one value, or its values by labels. */
type Reading = number | Array<[Labels, number]>;

const PUBLISH_WRITE_BUCKETS = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];
const HOOK_RUN_BUCKETS = [0.00001, 0.00005, 0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5];

/** A read shared by the metrics of one scrape: prom-client collects them all in one synchronous run. */
function perScrape<T>(read: () => T): () => T {
  let cached: { value: T } | undefined;
  return () => {
    if (!cached) {
      cached = { value: read() };
      queueMicrotask(() => (cached = undefined));
    }
    return cached.value;
  };
}

function samples(reading: Reading): Array<[Labels, number]> {
  return typeof reading === 'number' ? [[{}, reading]] : reading;
}

function byKey(counts: Record<string, number>, label: string): Array<[Labels, number]> {
  return Object.entries(counts).map(([key, count]) => [{ [label]: key }, count]);
}

/** `realtime.v1.json` → json; a client that offered no subprotocol speaks JSON too. */
function encodingOf(protocol: string): string {
  return protocol === '' ? 'json' : protocol.slice(protocol.lastIndexOf('.') + 1);
}

/** What RealtimeModule keeps that the metrics read: found in the application, wherever it imports the module. */
interface Sources {
  middleware: MetricsMiddleware;
  connections: ConnectionRegistry;
  cleanup: CleanupService;
  cluster: ClusterSweepers;
  engine: RealtimeEngine;
  channels: ChannelService;
  hooks: RealtimeHooksRunner;
}

/**
 * Registers the realtime metrics in the registry. Nearly all are read when the registry is scraped, from
 * what the library counts anyway (MetricsMiddleware's snapshot, each connection's frame and byte counters,
 * the cleanup's Atomics counters, the engine's status); the two histograms are observed as things happen:
 * one publish in `publishSampling`, and every hook run.
 */
@Injectable()
export class RealtimeMetricsCollector implements OnModuleInit, OnApplicationShutdown {
  private readonly lag = new EventLoopLagMonitor();
  private readonly registered: string[] = [];
  private sources?: Sources;

  constructor(
    @Inject(REALTIME_METRICS_OPTIONS) private readonly options: ResolvedRealtimeMetricsOptions,
    private readonly moduleRef: ModuleRef,
  ) {}

  onModuleInit(): void {
    const sources = (this.sources = this.findSources());
    this.registerConnections(sources);
    this.registerTraffic(sources);
    this.registerUpkeep(sources);
    this.registerTimings(sources);
    if (this.options.defaultMetrics) collectDefaultMetrics({ register: this.options.registry });
    this.lag.start();
  }

  onApplicationShutdown(): void {
    this.lag.stop();
    if (this.sources) this.sources.channels.publishTimer = undefined;
    const { registry, ownRegistry } = this.options;
    if (ownRegistry) registry.clear();
    else for (const name of this.registered) registry.removeSingleMetric(name);
  }

  private findSources(): Sources {
    const find = <T>(token: Type<T> | symbol): T => {
      try {
        return this.moduleRef.get<T>(token, { strict: false });
      } catch {
        throw new Error(METRICS_NEED_REALTIME_MODULE);
      }
    };
    return {
      middleware: find(MetricsMiddleware),
      connections: find(ConnectionRegistry),
      cleanup: find(CleanupService),
      cluster: find(ClusterSweepers),
      engine: find<RealtimeEngine>(REALTIME_ENGINE),
      channels: find(ChannelService),
      hooks: find(RealtimeHooksRunner),
    };
  }

  private registerConnections({ middleware, engine }: Sources): void {
    const snapshot = perScrape(() => middleware.snapshot());
    this.gauge('connections_open', 'Connections open on this node.', [], () => snapshot().connectionsOpen);
    this.counter('connections_opened_total', 'Connections opened on this node.', [], () => snapshot().connectionsOpened);
    this.counter('connections_closed_total', 'Connections closed on this node, by close code.', ['code'], () => byKey(snapshot().closes, 'code'));
    this.counter('upgrades_refused_total', 'WebSocket upgrades refused, by HTTP status.', ['status'], () => byKey(snapshot().upgradesRefused, 'status'));
    this.counter('frames_refused_total', 'Inbound frames answered with an error before any handler, by error code.', ['code'], () =>
      byKey(snapshot().framesRefused, 'code'),
    );
    this.counter('rate_limited_total', 'Inbound frames refused by a rate limit (answered rate_limited).', [], () => snapshot().framesRefused['rate_limited'] ?? 0);
    this.counter('errors_total', 'Errors answered to clients (replies with ok: false and error frames), by error code; per process.', ['code'], () =>
      byKey(errorsSent, 'code'),
    );
    if (!engine.status) return;
    const status = perScrape(() => engine.status!());
    const kind = engine.constructor.name;
    this.gauge('channels', "This node's channels with at least one member.", [], () => status().channels);
    this.gauge('channel_members', "This node's memberships (connections in channels).", [], () => status().members);
    this.gauge('presence_members', "This node's presence entries (connections in presence channels).", [], () => status().presence);
    this.gauge('engine_reachable', 'Whether the engine reaches its shared store (Redis): 1 or 0.', ['engine'], () => [[{ engine: kind }, status().reachable ? 1 : 0]]);
  }

  private registerTraffic({ connections }: Sources): void {
    const labels = ['encoding', 'protocol'];
    const traffic = perScrape(() => [...connections.traffic()]);
    const read = (field: 'framesIn' | 'bytesIn' | 'framesOut' | 'bytesOut') => (): Reading =>
      traffic().map(([protocol, sums]) => [{ encoding: encodingOf(protocol), protocol: protocol || 'none' }, sums[field]]);
    this.counter('frames_received_total', 'Frames received from clients, by encoding and subprotocol.', labels, read('framesIn'));
    this.counter('bytes_received_total', 'Bytes of the frames received from clients (payloads), by encoding and subprotocol.', labels, read('bytesIn'));
    this.counter('frames_sent_total', 'Frames sent to clients, by encoding and subprotocol.', labels, read('framesOut'));
    this.counter('bytes_sent_total', 'Bytes of the frames sent to clients (payloads), by encoding and subprotocol.', labels, read('bytesOut'));
  }

  private registerUpkeep({ cleanup, cluster }: Sources): void {
    const counters = perScrape(() => CleanupCounters.read(cleanup.metricsBuffer));
    this.counter('cleanup_tasks_processed_total', 'Cleanup tasks that finished.', [], () => counters().processed);
    this.counter('cleanup_tasks_failed_total', 'Cleanup tasks given up after their last retry.', [], () => counters().failed);
    this.counter('cleanup_tasks_retried_total', 'Failed cleanup attempts put back for another try.', [], () => counters().retried);
    this.gauge('cleanup_tasks_pending', 'Cleanup tasks waiting.', [], () => counters().pending);
    this.counter('dead_nodes_claimed_total', 'Dead nodes this node claimed, to release their connections.', [], () => cluster.deadNodesClaimed);
    this.gauge('event_loop_lag_seconds', 'Event loop lag since the previous scrape: quantile 0.5, 0.99 and 1 (the maximum).', ['quantile'], () => {
      const { p50, p99, max } = this.lag.read();
      return [
        [{ quantile: '0.5' }, p50],
        [{ quantile: '0.99' }, p99],
        [{ quantile: '1' }, max],
      ];
    });
  }

  private registerTimings({ channels, hooks }: Sources): void {
    const { registry, publishSampling } = this.options;
    if (publishSampling > 0) {
      const publishWrite = new Histogram({
        name: this.named('publish_write_seconds'),
        help: `Time from ChannelService.publish to the write of its frames to this node's sockets (${publishSampling === 1 ? 'every publish' : `one publish in ${publishSampling}`}).`,
        buckets: PUBLISH_WRITE_BUCKETS,
        registers: [registry],
      });
      channels.publishTimer = new PublishWriteTimer(publishSampling, (seconds) => publishWrite.observe(seconds));
    }
    const hookRun = new Histogram({
      name: this.named('hook_run_seconds'),
      help: 'Time a hook (@OnConnection, @OnPresence…) took to run, awaited, by stream and hook.',
      labelNames: ['stream', 'hook'],
      buckets: HOOK_RUN_BUCKETS,
      registers: [registry],
    });
    hooks.timeHooks((stream, hook, seconds) => hookRun.observe({ stream, hook }, seconds));
    const queues = perScrape(() => hooks.queues());
    this.gauge('hook_queue_depth', 'Events waiting for their hooks, by queue (one per stream: connection$, presence$…).', ['queue'], () =>
      queues().map(({ queue, depth }) => [{ queue }, depth]),
    );
    this.counter('hook_events_dropped_total', 'Events a full hook queue dropped (hooks.overflow), by queue.', ['queue'], () =>
      queues().map(({ queue, dropped }) => [{ queue }, dropped]),
    );
  }

  private named(name: string): string {
    const full = `${this.options.prefix}${name}`;
    this.registered.push(full);
    return full;
  }

  private gauge(name: string, help: string, labelNames: string[], read: () => Reading): void {
    new Gauge({
      name: this.named(name),
      help,
      labelNames,
      registers: [this.options.registry],
      collect() {
        this.reset();
        for (const [labels, value] of samples(read())) this.set(labels, value);
      },
    });
  }

  /** A counter whose total is read at scrape time (the library's own counts only grow). */
  private counter(name: string, help: string, labelNames: string[], read: () => Reading): void {
    new Counter({
      name: this.named(name),
      help,
      labelNames,
      registers: [this.options.registry],
      collect() {
        this.reset();
        for (const [labels, value] of samples(read())) this.inc(labels, value);
      },
    });
  }
}
