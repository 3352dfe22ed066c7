import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { DemoConfigModule } from '../config/config.module';
import { PusherController } from './pusher.controller';

/** `POST /pusher/auth` and `GET /pusher/app` for the demo's Pusher clients (the endpoint itself is RealtimePusherModule's). */
@Module({ imports: [AuthModule, DemoConfigModule], controllers: [PusherController] })
export class DemoPusherModule {}
