import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { AuditService } from './audit/audit.service';
import { CredentialsService } from './auth/credentials.service';
import { ChannelAuthorization } from './authorization/channel-authorization.service';
import { ChannelAuthorizersLoader } from './authorization/channel-authorizers.loader';
import { ChannelRules } from './channel/channel.rules';
import { ChannelService } from './channel/channel.service';
import { TemporaryChannels } from './channel/temporary-channels';
import { CleanupService } from './cleanup/cleanup.service';
import { RealtimeSweepers } from './cleanup/realtime.sweepers';
import { ClusterSweepers } from './cluster/cluster.sweepers';
import { PresenceResync } from './cluster/presence-resync';
import { ConnectionLifecycle } from './connection/connection.lifecycle';
import { ConnectionRegistry } from './connection/connection.registry';
import { ConnectionService } from './connection/connection.service';
import { ConnectionStateService } from './connection/connection-state.service';
import { DirectService } from './direct/direct.service';
import { RealtimeHooksMetadataAccessor } from './events/hooks-metadata.accessor';
import { RealtimeHooksLoader } from './events/hooks.loader';
import { FrameDispatcher } from './gateway/frame.dispatcher';
import { GatewayFiltersBinder } from './gateway/gateway-filters.binder';
import { ProtocolHandlers } from './gateway/protocol.handlers';
import { RealtimeServer } from './gateway/realtime.server';
import { UpgradeHandler } from './gateway/upgrade.handler';
import { GroupService } from './group/group.service';
import { HeartbeatScheduler } from './heartbeat/heartbeat.scheduler';
import { ConnectionLimitsMiddleware } from './limits/connection-limits.middleware';
import { IdleConnectionsSweeper } from './limits/idle-connections.sweeper';
import { AuthenticationMiddleware } from './middleware/authentication.middleware';
import { LoggingMiddleware } from './middleware/logging.middleware';
import { MetricsMiddleware } from './middleware/metrics.middleware';
import { MiddlewarePipeline } from './middleware/middleware.pipeline';
import { OriginMiddleware } from './middleware/origin.middleware';
import { RateLimitMiddleware } from './middleware/rate-limit.middleware';
import type { RealtimeModuleOptions } from './options/realtime-options.interface';
import { resolveRealtimeOptions, ResolvedRealtimeOptions } from './options/realtime-options.resolver';
import { PresenceService } from './presence/presence.service';
import { REALTIME_ENGINE, REALTIME_OPTIONS } from './realtime.constants';
import { ResumeService } from './resume/resume.service';
import { ResumeSessions } from './resume/resume-sessions';
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
