import { DynamicModule, Module } from '@nestjs/common';
import { metricsController } from './metrics.controller';
import { REALTIME_METRICS_OPTIONS, REALTIME_METRICS_REGISTRY } from './metrics.constants';
import { RealtimeMetricsCollector } from './realtime-metrics.collector';
import { RealtimeMetricsOptions, resolveRealtimeMetricsOptions } from './realtime-metrics.options';

/**
 * Prometheus metrics of `RealtimeModule`, with prom-client: import `RealtimeMetricsModule.forRoot()` beside
 * `RealtimeModule` and scrape `GET /metrics`, or hand it your registry (`registry`, `path: false`). The
 * registry is injectable everywhere as `REALTIME_METRICS_REGISTRY`.
 */
@Module({})
export class RealtimeMetricsModule {
  static forRoot(options: RealtimeMetricsOptions = {}): DynamicModule {
    const resolved = resolveRealtimeMetricsOptions(options);
    return {
      module: RealtimeMetricsModule,
      global: true,
      providers: [
        { provide: REALTIME_METRICS_OPTIONS, useValue: resolved },
        { provide: REALTIME_METRICS_REGISTRY, useValue: resolved.registry },
        RealtimeMetricsCollector,
      ],
      controllers: resolved.path === false ? [] : [metricsController(resolved.path, resolved.registry)],
      exports: [REALTIME_METRICS_REGISTRY],
    };
  }
}
