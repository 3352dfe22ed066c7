export * from './realtime-options.interface';
export * from './security-options.interface';
export { resolveRealtimeOptions } from './realtime-options.resolver';
export type { ResolvedRealtimeOptions } from './realtime-options.resolver';
