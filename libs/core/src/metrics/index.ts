// `@nest-realtime/core/metrics`: Prometheus metrics of RealtimeModule. The one entry that loads prom-client
// (an optional peer dependency): applications that do not import it never require it.
export { RealtimeMetricsModule } from './realtime-metrics.module';
export type { RealtimeMetricsOptions } from './realtime-metrics.options';
export { REALTIME_METRICS_REGISTRY } from './metrics.constants';
