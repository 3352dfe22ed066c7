/** Injection token of the resolved options of `RealtimeMetricsModule`. */
export const REALTIME_METRICS_OPTIONS = Symbol('REALTIME_METRICS_OPTIONS');
/** Injection token of the prom-client `Registry` the realtime metrics are in. */
export const REALTIME_METRICS_REGISTRY = Symbol('REALTIME_METRICS_REGISTRY');
