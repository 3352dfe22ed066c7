// `@nest-realtime/core/health`: the `@nestjs/terminus` indicator of a node (an optional peer dependency:
// import this entry only with terminus installed). `RealtimeHealth` works without it.
export { RealtimeHealthIndicator } from './realtime-health.indicator';
export { RealtimeHealth } from './realtime-health';
export type { RealtimeHealthStatus } from './realtime-health';
