import { UseGuards } from '@nestjs/common';
import { MessageBody, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import { ChannelService, CurrentConnection, RealtimeConnection } from '@nest-realtime/core';
import { MembersGuard } from './members.guard';

@WebSocketGateway()
export class RoomsGateway {
  constructor(private readonly channels: ChannelService) {}

  @UseGuards(MembersGuard)
  @SubscribeMessage('rooms:whoami')
  async whoami(@CurrentConnection() connection: RealtimeConnection, @MessageBody() body: { room: string }) {
    return {
      clientId: connection.clientId,
      connectionId: connection.id,
      member: await this.channels.isMember(`room:${body.room}`, connection.id),
    };
  }
}
