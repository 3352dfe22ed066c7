import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { RealtimeHealthIndicator } from '@nest-realtime/core/health';
import { HealthController } from './health.controller';

// Terminus does not log the failed checks: a drain and a Redis outage log themselves once, not at every probe.
@Module({ imports: [TerminusModule.forRoot({ logger: false })], controllers: [HealthController], providers: [RealtimeHealthIndicator] })
export class HealthModule {}
