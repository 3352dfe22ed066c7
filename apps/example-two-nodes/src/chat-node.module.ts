import { DynamicModule, Module } from '@nestjs/common';
import type { IncomingMessage } from 'http';
import { RealtimeModule } from '@nest-realtime/core';
import { RedisEngine, RedisEngineOptions } from '@nest-realtime/redis';
import { CHAT_CHANNELS } from './chat.channels';

/** Example-grade authentication: `?user=<name>` is the clientId. Put your token check here. */
function userFromQuery(request: IncomingMessage) {
  const user = new URL(request.url ?? '/', 'http://localhost').searchParams.get('user');
  return user ? { clientId: user } : null;
}

/** One web node: RealtimeModule on a Redis (a URL) or a Redis Cluster (`{cluster: {nodes}}`) shared with the other nodes. */
@Module({})
export class ChatNodeModule {
  static forRedis(redis: string | Pick<RedisEngineOptions, 'url' | 'cluster'>): DynamicModule {
    const where = typeof redis === 'string' ? { url: redis } : redis;
    return {
      module: ChatNodeModule,
      imports: [RealtimeModule.forRoot({ engine: new RedisEngine(where), authenticate: userFromQuery, channels: CHAT_CHANNELS })],
    };
  }
}
