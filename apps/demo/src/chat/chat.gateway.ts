import { UsePipes } from '@nestjs/common';
import { ConnectedSocket, MessageBody, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import { ChannelService, RealtimeConnection, RealtimeException, RealtimeValidationPipe } from '@nest-realtime/core';
import { roomChannel } from '../rooms/room.channels';
import { ShoutDto } from './shout.dto';

/** An application event on the library's connections, handled the Nest way. */
@WebSocketGateway()
export class ChatGateway {
  constructor(private readonly channels: ChannelService) {}

  @SubscribeMessage('chat:shout')
  @UsePipes(new RealtimeValidationPipe({ whitelist: true }))
  async shout(@MessageBody() { room, text }: ShoutDto, @ConnectedSocket() socket: unknown): Promise<{ delivered: number }> {
    const connection = RealtimeConnection.of(socket);
    const channel = roomChannel(room);
    if (!connection || !(await this.channels.isMember(channel, connection.id))) {
      throw new RealtimeException('not_joined', `Join "${channel}" before shouting in it.`);
    }
    return { delivered: await this.channels.publish(channel, text.toUpperCase(), connection) };
  }
}
