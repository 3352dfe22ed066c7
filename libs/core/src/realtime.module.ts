import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { AuditService } from './services/audit/audit.service';
import { CredentialsService } from './services/credentials/credentials.service';
import { ChannelAuthorization } from './services/authorization/channel-authorization.service';
import { ChannelAuthorizersLoader } from './services/authorization/channel-authorizers.loader';
import { ChannelRules } from './services/channel/channel.rules';
import { ChannelService } from './services/channel/channel.service';
import { TemporaryChannels } from './services/channel/temporary-channels';
import { CleanupService } from './upkeep/cleanup/cleanup.service';
import { RealtimeSweepers } from './upkeep/cleanup/realtime.sweepers';
import { ClusterSweepers } from './upkeep/cluster/cluster.sweepers';
import { PresenceResync } from './upkeep/cluster/presence-resync';
import { ConnectionLifecycle } from './services/connection/connection.lifecycle';
import { ConnectionRegistry } from './services/connection/connection.registry';
import { ConnectionService } from './services/connection/connection.service';
import { ConnectionStateService } from './services/connection/connection-state.service';
import { DirectService } from './services/direct/direct.service';
import { RealtimeHooksMetadataAccessor } from './hooks/hooks-metadata.accessor';
import { RealtimeHooksLoader } from './hooks/hooks.loader';
import { FrameDispatcher } from './pipeline/dispatch/frame.dispatcher';
import { GatewayFiltersBinder } from './pipeline/dispatch/gateway-filters.binder';
import { ProtocolHandlers } from './pipeline/dispatch/protocol.handlers';
import { RealtimeServer } from './transport/server/realtime.server';
import { UpgradeHandler } from './transport/upgrade/upgrade.handler';
import { GroupService } from './services/group/group.service';
import { HeartbeatScheduler } from './upkeep/heartbeat/heartbeat.scheduler';
import { ConnectionLimitsMiddleware } from './pipeline/middleware/connection-limits.middleware';
import { IdleConnectionsSweeper } from './upkeep/idle/idle-connections.sweeper';
import { AuthenticationMiddleware } from './pipeline/middleware/authentication.middleware';
import { LoggingMiddleware } from './pipeline/middleware/logging.middleware';
import { MetricsMiddleware } from './pipeline/middleware/metrics.middleware';
import { MiddlewarePipeline } from './pipeline/middleware/middleware.pipeline';
import { OriginMiddleware } from './pipeline/middleware/origin.middleware';
import { RateLimitMiddleware } from './pipeline/middleware/rate-limit.middleware';
import type { RealtimeModuleOptions } from './options/realtime-options.interface';
import { resolveRealtimeOptions, ResolvedRealtimeOptions } from './options/realtime-options.resolver';
import { PresenceService } from './services/presence/presence.service';
import { REALTIME_ENGINE, REALTIME_OPTIONS } from './realtime.constants';
import { ResumeService } from './services/resume/resume.service';
import { ResumeSessions } from './services/resume/resume-sessions';
import { ConfigurableRealtimeModule, RAW_REALTIME_OPTIONS } from './realtime.module-definition';

/**
 * WebSocket connections with channels, presence and connection state. Import it with `forRoot` or
 * `forRootAsync`, then install `RealtimeAdapter` in `main.ts`.
 */
@Module({
  imports: [DiscoveryModule],
  providers: [
    { provide: REALTIME_OPTIONS, useFactory: (raw: RealtimeModuleOptions) => resolveRealtimeOptions(raw), inject: [RAW_REALTIME_OPTIONS] },
    { provide: REALTIME_ENGINE, useFactory: (options: ResolvedRealtimeOptions) => options.engine, inject: [REALTIME_OPTIONS] },
    ConnectionRegistry,
    ConnectionStateService,
    ConnectionLifecycle,
    ConnectionService,
    ChannelRules,
    ChannelService,
    PresenceService,
    GroupService,
    DirectService,
    CleanupService,
    RealtimeSweepers,
    HeartbeatScheduler,
    ProtocolHandlers,
    FrameDispatcher,
    UpgradeHandler,
    RealtimeServer,
    GatewayFiltersBinder,
    RealtimeHooksMetadataAccessor,
    RealtimeHooksLoader,
    AuditService,
    CredentialsService,
    ChannelAuthorization,
    ChannelAuthorizersLoader,
    TemporaryChannels,
    IdleConnectionsSweeper,
    MetricsMiddleware,
    LoggingMiddleware,
    OriginMiddleware,
    ConnectionLimitsMiddleware,
    AuthenticationMiddleware,
    RateLimitMiddleware,
    MiddlewarePipeline,
    ResumeSessions,
    ResumeService,
    ClusterSweepers,
    PresenceResync,
  ],
  exports: [
    ConnectionService,
    ConnectionStateService,
    ChannelService,
    PresenceService,
    GroupService,
    DirectService,
    CleanupService,
    AuditService,
    MetricsMiddleware,
  ],
})
export class RealtimeModule extends ConfigurableRealtimeModule {}
