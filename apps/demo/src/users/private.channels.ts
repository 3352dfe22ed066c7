import { Injectable } from '@nestjs/common';
import { ChannelAuthorizationRequest, ChannelAuthorizer, ChannelRule } from '@nest-realtime/core';

const PRIVATE_PREFIX = 'private:';

/** `private:<user>`: a user's own inbox; only the server publishes to it. */
export const PRIVATE_CHANNELS: ChannelRule[] = [{ pattern: `${PRIVATE_PREFIX}*`, private: true, publish: 'server' }];

export function privateChannel(user: string): string {
  return `${PRIVATE_PREFIX}${user}`;
}

/** Lets a user join their own private channel and nobody else's. */
@Injectable()
export class PrivateChannelAuthorizer {
  @ChannelAuthorizer(`${PRIVATE_PREFIX}*`)
  ownChannelOnly({ clientId, channel }: ChannelAuthorizationRequest): boolean {
    return channel === privateChannel(clientId);
  }
}
