import { Body, Controller, HttpCode, HttpStatus, Param, Post, UsePipes, ValidationPipe } from '@nestjs/common';
import { ChannelService } from '@nest-realtime/core';
import { PublishMessageDto } from '../rooms/publish-message.dto';
import { privateChannel } from './private.channels';
import { UserParamsDto } from './user-params.dto';

@Controller('users/:user')
@UsePipes(new ValidationPipe({ whitelist: true }))
export class UsersController {
  constructor(private readonly channels: ChannelService) {}

  /** Sends to the user's private channel, `private:<user>`; `delivered` counts the user's connections in it. */
  @Post('notify')
  @HttpCode(HttpStatus.OK)
  async notify(@Param() { user }: UserParamsDto, @Body() { payload }: PublishMessageDto): Promise<{ delivered: number }> {
    return { delivered: await this.channels.publish(privateChannel(user), payload) };
  }
}
