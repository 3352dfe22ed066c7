export { RealtimeModule } from './realtime.module';
export { RealtimeAdapter } from './gateway/realtime.adapter';
export { RealtimeExceptionFilter } from './gateway/realtime-exception.filter';
export { RealtimeValidationPipe, realtimeValidationException } from './gateway/realtime-validation.pipe';
export { FrameContext } from './gateway/frame-context';

export { ConnectionService } from './connection/connection.service';
export type { ConnectionInfo } from './connection/connection.service';
export { ConnectionStateService } from './connection/connection-state.service';
export { ConnectionStateMachine } from './connection/connection-state.machine';
export { RealtimeConnection } from './connection/realtime-connection';
export { ChannelService } from './channel/channel.service';
export type { JoinResult } from './channel/channel.service';
export type { ChannelOptions, ChannelRule } from './channel/channel.options';
export { PresenceService } from './presence/presence.service';
export type { PresenceFilter } from './presence/presence.service';
export { GroupService } from './group/group.service';
export { DirectService } from './direct/direct.service';
export { CleanupService } from './cleanup/cleanup.service';
export { CleanupCounters } from './cleanup/cleanup.metrics';
export type { CleanupMetrics } from './cleanup/cleanup.metrics';
export type { CleanupSweeper, CleanupTask } from './cleanup/cleanup-task.interface';

export * from './engine';
export * from './options';
export * from './protocol';
export * from './events';
