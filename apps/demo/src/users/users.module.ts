import { Module } from '@nestjs/common';
import { PrivateChannelAuthorizer } from './private.channels';
import { UsersController } from './users.controller';

@Module({ controllers: [UsersController], providers: [PrivateChannelAuthorizer] })
export class UsersModule {}
