import { Module } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { RealtimeModule } from '@nest-realtime/core';
import { RealtimeMetricsModule } from '@nest-realtime/core/metrics';
import { RealtimeAdminModule } from '@nest-realtime/core/admin';
import { RealtimePusherModule } from '@nest-realtime/pusher';
import { ActivityModule } from './activity/activity.module';
import { AuthModule } from './auth/auth.module';
import { AuditLogModule } from './audit/audit-log.module';
import { jwtAuthenticate, jwtReauthenticate } from './auth/jwt.authenticate';
import { ChatModule } from './chat/chat.module';
import { DemoConfigModule } from './config/config.module';
import { DEMO_CONFIG, DemoConfig, toPusherOptions, toRealtimeOptions } from './config/demo.config';
import { HealthModule } from './health/health.module';
import { PageModule } from './page/page.module';
import { DemoPusherModule } from './pusher/pusher.module';
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
    // The Pusher endpoint, ws://…/app/{PUSHER_APP_KEY}, and its HTTP API, /apps/{PUSHER_APP_ID}/…, on the same channels.
    RealtimePusherModule.forRootAsync({ imports: [DemoConfigModule], inject: [DEMO_CONFIG], useFactory: toPusherOptions }),
    RoomsModule,
    UsersModule,
    AuditLogModule,
    ChatModule,
    ActivityModule,
    PageModule,
    // POST /pusher/auth: signs the Pusher subscriptions of the bearer token's user; GET /pusher/app: the key.
    DemoPusherModule,
    // GET /health and /health/ready (@nestjs/terminus).
    HealthModule,
  ],
})
export class AppModule {}
