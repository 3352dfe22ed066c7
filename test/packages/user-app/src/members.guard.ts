import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { RealtimeConnection } from '@nest-realtime/core';

/** Lets members through and refuses guests: the client sees `forbidden`. */
@Injectable()
export class MembersGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const connection = RealtimeConnection.of(context.switchToWs().getClient());
    return connection?.claims.role === 'member';
  }
}
