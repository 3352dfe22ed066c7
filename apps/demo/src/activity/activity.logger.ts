import { Injectable, Logger } from '@nestjs/common';
import { OnPresence, PresenceEvent } from '@nest-realtime/core';

/** Logs who enters and leaves the rooms; a user with several tabs is logged once per tab. */
@Injectable()
export class ActivityLogger {
  private readonly logger = new Logger('Activity');

  @OnPresence('join', 'room:*')
  joined({ clientId, channel, connectionId, first }: PresenceEvent): void {
    this.logger.log(`${clientId} joined ${channel} (${first ? 'first connection' : 'another connection'}: ${connectionId})`);
  }

  @OnPresence('leave', 'room:*')
  left({ clientId, channel, connectionId, last }: PresenceEvent): void {
    this.logger.log(`${clientId} left ${channel} (${last ? 'last connection' : 'still connected elsewhere'}: ${connectionId})`);
  }
}
