import { UsePipes } from '@nestjs/common';
import { MessageBody, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import { ChannelService, CurrentConnection, RealtimeConnection, RealtimeException, RealtimeValidationPipe } from '@nest-realtime/core';
import { roomChannel } from '../rooms/room.channels';
import { ShoutDto } from './shout.dto';

/** An application event on the library's connections, handled the Nest way. */
@WebSocketGateway()
export class ChatGateway {
  constructor(private readonly channels: ChannelService) {}

  @SubscribeMessage('chat:shout')
  @UsePipes(new RealtimeValidationPipe({ whitelist: true }))
  async shout(@MessageBody() { room, text }: ShoutDto, @CurrentConnection() connection: RealtimeConnection): Promise<{ delivered: number }> {
    const channel = roomChannel(room);
    if (!(await this.channels.isMember(channel, connection.id))) {
      throw new RealtimeException('not_joined', `Join "${channel}" before shouting in it.`);
    }
    return { delivered: await this.channels.publish(channel, text.toUpperCase(), connection) };
  }
}
