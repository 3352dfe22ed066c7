import { DynamicModule, Module } from '@nestjs/common';
import type { IncomingMessage } from 'http';
import { RealtimeModule } from '@nest-realtime/core';
import { RedisEngine } from '@nest-realtime/redis';
import { CHAT_CHANNELS } from './chat.channels';

/** Example-grade authentication: `?user=<name>` is the clientId. Put your token check here. */
function userFromQuery(request: IncomingMessage) {
  const user = new URL(request.url ?? '/', 'http://localhost').searchParams.get('user');
  return user ? { clientId: user } : null;
}

/** One web node: RealtimeModule on a Redis shared with the other nodes. */
@Module({})
export class ChatNodeModule {
  static forRedis(redisUrl: string): DynamicModule {
    return {
      module: ChatNodeModule,
      imports: [RealtimeModule.forRoot({ engine: new RedisEngine({ url: redisUrl }), authenticate: userFromQuery, channels: CHAT_CHANNELS })],
    };
  }
}
