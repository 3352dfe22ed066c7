import { Module } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { RealtimeModule } from '@nest-realtime/core';
import { ActivityModule } from './activity/activity.module';
import { AuthModule } from './auth/auth.module';
import { AuditLogModule } from './audit/audit-log.module';
import { jwtAuthenticate, jwtReauthenticate } from './auth/jwt.authenticate';
import { ChatModule } from './chat/chat.module';
import { DemoConfigModule } from './config/config.module';
import { DEMO_CONFIG, DemoConfig, toRealtimeOptions } from './config/demo.config';
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
      useFactory: (config: DemoConfig, jwt: JwtService) => toRealtimeOptions(config, jwtAuthenticate(jwt), jwtReauthenticate(jwt)),
    }),
    RoomsModule,
    UsersModule,
    AuditLogModule,
    ChatModule,
    ActivityModule,
    PageModule,
  ],
})
export class AppModule {}
