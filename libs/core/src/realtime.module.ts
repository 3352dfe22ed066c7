import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { engineProviders } from './engine/engine.providers';
import { healthProviders } from './health/health.providers';
import { RealtimeHealth } from './health/realtime-health';
import { hooksProviders } from './hooks/hooks.providers';
import { optionsProviders } from './options/options.providers';
import { pipelineProviders } from './pipeline/pipeline.providers';
import { MetricsMiddleware } from './pipeline/middleware/metrics.middleware';
import { ConfigurableRealtimeModule } from './realtime.module-definition';
import { AuditService } from './services/audit/audit.service';
import { ChannelService } from './services/channel/channel.service';
import { ConnectionStateService } from './services/connection/connection-state.service';
import { ConnectionService } from './services/connection/connection.service';
import { DirectService } from './services/direct/direct.service';
import { GroupService } from './services/group/group.service';
import { PresenceService } from './services/presence/presence.service';
import { servicesProviders } from './services/services.providers';
import { SharedStateService } from './services/shared-state/shared-state.service';
import { transportProviders } from './transport/transport.providers';
import { CleanupService } from './upkeep/cleanup/cleanup.service';
import { upkeepProviders } from './upkeep/upkeep.providers';

/**
 * WebSocket connections with channels, presence and connection state. Import it with `forRoot` or
 * `forRootAsync`, then install `RealtimeAdapter` in `main.ts`.
 */
@Module({
  imports: [DiscoveryModule],
  providers: [
    ...optionsProviders,
    ...engineProviders,
    ...transportProviders,
    ...pipelineProviders,
    ...servicesProviders,
    ...upkeepProviders,
    ...healthProviders,
    // Last, so that the hooks still see what the services emit while shutting down.
    ...hooksProviders,
  ],
  exports: [
    ConnectionService,
    ConnectionStateService,
    ChannelService,
    PresenceService,
    GroupService,
    DirectService,
    SharedStateService,
    CleanupService,
    AuditService,
    MetricsMiddleware,
    RealtimeHealth,
  ],
})
export class RealtimeModule extends ConfigurableRealtimeModule {}
