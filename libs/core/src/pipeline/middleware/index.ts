export type { RealtimeMiddleware } from './realtime-middleware.interface';
export { UpgradeContext, UpgradeRejection } from '../../transport/upgrade/upgrade-context';
export { InboundFrame } from './inbound-frame';
export { MetricsMiddleware } from './metrics.middleware';
export type { RealtimeMetricsSnapshot } from './metrics.middleware';
