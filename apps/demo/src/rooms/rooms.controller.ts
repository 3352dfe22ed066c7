import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, UsePipes, ValidationPipe } from '@nestjs/common';
import { ChannelService, PresenceService } from '@nest-realtime/core';
import type { PresenceState } from '@nest-realtime/protocol';
import { PublishMessageDto } from './publish-message.dto';
import { RoomParamsDto } from './room-params.dto';
import { roomChannel } from './room.channels';

@Controller('rooms/:name')
@UsePipes(new ValidationPipe({ whitelist: true }))
export class RoomsController {
  constructor(
    private readonly channels: ChannelService,
    private readonly presence: PresenceService,
  ) {}

  @Get('presence')
  presenceOf(@Param() { name }: RoomParamsDto): Promise<PresenceState> {
    return this.presence.list(roomChannel(name));
  }

  /** Server code publishing: members receive it with `from: null`. */
  @Post('messages')
  @HttpCode(HttpStatus.OK)
  async publish(@Param() { name }: RoomParamsDto, @Body() { payload }: PublishMessageDto): Promise<{ delivered: number }> {
    return { delivered: await this.channels.publish(roomChannel(name), payload) };
  }
}
