// `@nest-realtime/core`: what an application imports. Resolvers, loaders, accessors and engine internals
// stay inside; engine authors have `@nest-realtime/core/engine`.

// The module, its adapter, and what gateways use.
export { RealtimeModule } from './realtime.module';
export { RealtimeAdapter } from './transport/adapter/realtime.adapter';
export { RealtimeExceptionFilter } from './pipeline/dispatch/realtime-exception.filter';
export { CurrentConnection } from './pipeline/dispatch/current-connection.decorator';
export { RealtimeValidationPipe, realtimeValidationException } from './pipeline/dispatch/realtime-validation.pipe';
export { RealtimeException } from './errors/realtime.exception';
export { RealtimeConnection } from './services/connection/realtime-connection';
export type { RealtimeTransport } from './services/connection/realtime-connection';
export { createHttp2Server, serveHttp2 } from './transport/http2';
export type { Http2CapableAdapter, Http2ServerOptions } from './transport/http2';

// The services an application injects.
export { ConnectionService } from './services/connection/connection.service';
export type { DrainEvent } from './upkeep/drain/connection.drainer';
export { RealtimeHealth } from './health/realtime-health';
export type { RealtimeHealthStatus } from './health/realtime-health';
export type { ConnectionInfo } from './services/connection/connection.service';
export { ConnectionStateService } from './services/connection/connection-state.service';
export { ChannelService } from './services/channel/channel.service';
export type { JoinResult, PublishOrigin, TemporaryChannelOptions } from './services/channel/channel.service';
export type { ChannelAuthorizationRequest, ChannelAuthorizeFn, ChannelHistoryOptions, ChannelOptions, ChannelRule } from './services/channel/channel.options';
export * from './services/authorization';
export { PresenceService } from './services/presence/presence.service';
export type { PresenceFilter } from './services/presence/presence.service';
export { GroupService } from './services/group/group.service';
export { DirectService } from './services/direct/direct.service';
export * from './services/shared-state';
export * from './services/audit';
export { CleanupService } from './upkeep/cleanup/cleanup.service';
export { CleanupCounters } from './upkeep/cleanup/cleanup.metrics';
export type { CleanupMetrics } from './upkeep/cleanup/cleanup.metrics';
export type { CleanupSweeper, CleanupTask } from './upkeep/cleanup/cleanup-task.interface';

// Middleware: the interface, what it is given, and the built-in one an application reads.
export * from './pipeline/middleware';

// Engines.
export { MemoryEngine } from './engine/memory/memory.engine';
export type { RealtimeEngine } from './engine/realtime-engine.interface';

// Options (types only) and hooks (decorators and the events they receive).
export * from './options';
export * from './hooks';
