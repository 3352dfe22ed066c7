import { DynamicModule, Module } from '@nestjs/common';
import { RealtimeModule } from '@nest-realtime/core';
import { RedisEngine } from '@nest-realtime/redis';
// The web nodes' channel rules (apps/example-two-nodes): the node that publishes applies them, history included.
import { CHAT_CHANNELS } from '../../example-two-nodes/src/chat.channels';
import { HeadlinesPublisher, WORKER_CONFIG, WorkerConfig } from './headlines.publisher';

/** RealtimeModule on the web nodes' Redis, with no HTTP server: a node that serves no client and publishes. */
@Module({})
export class WorkerModule {
  static forRoot(config: WorkerConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [RealtimeModule.forRoot({ engine: new RedisEngine({ url: config.redisUrl }), channels: CHAT_CHANNELS })],
      providers: [{ provide: WORKER_CONFIG, useValue: config }, HeadlinesPublisher],
    };
  }
}
