import { Module } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { RealtimeModule } from '@nest-realtime/core';
import { RealtimeMetricsModule } from '@nest-realtime/core/metrics';
import { RealtimeAdminModule } from '@nest-realtime/core/admin';
import { ActivityModule } from './activity/activity.module';
import { AuthModule } from './auth/auth.module';
import { AuditLogModule } from './audit/audit-log.module';
import { jwtAuthenticate, jwtReauthenticate } from './auth/jwt.authenticate';
import { ChatModule } from './chat/chat.module';
import { DemoConfigModule } from './config/config.module';
import { DEMO_CONFIG, DemoConfig, toRealtimeOptions } from './config/demo.config';
import { HealthModule } from './health/health.module';
import { PageModule } from './page/page.module';
import { RoomsModule } from './rooms/rooms.module';
import { UsersModule } from './users/users.module';

@Module({
  imports: [
    DemoConfigModule,
    AuthModule,
    RealtimeModule.forRootAsync({
      // Global so that rooms and chat inject ChannelService without importing the module again.
      global: true,
      imports: [DemoConfigModule, AuthModule],
      inject: [DEMO_CONFIG, JwtService],
      useFactory: (config: DemoConfig, jwt: JwtService) => ({
        ...toRealtimeOptions(config, jwtAuthenticate(jwt), jwtReauthenticate(jwt)),
        // SIGTERM (app.enableShutdownHooks in main.ts) drains: 503 to new clients, 1012 to the others over DRAIN_MS.
        drain: { window: config.drainMs, onShutdown: 'signal' },
      }),
    }),
    // GET /metrics: Prometheus metrics of the realtime module (and of the process).
    RealtimeMetricsModule.forRoot(),
    // The admin page at /admin, over its API at /admin/api, for the bearer token ADMIN_TOKEN.
    RealtimeAdminModule.forRootAsync({
      imports: [DemoConfigModule],
      inject: [DEMO_CONFIG],
      useFactory: (config: DemoConfig) => ({ token: config.adminToken }),
    }),
    RoomsModule,
    UsersModule,
    AuditLogModule,
    ChatModule,
    ActivityModule,
    PageModule,
    // GET /health and /health/ready (@nestjs/terminus).
    HealthModule,
  ],
})
export class AppModule {}
