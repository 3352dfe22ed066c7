/**
 * A server-push worker: a Nest application context (no HTTP server) that publishes to a channel through
 * ChannelService on the Redis engine, while the web nodes on the same Redis serve the clients.
 *
 *   REDIS_URL=redis://127.0.0.1:6379 PORTS=3001,3002 node -r ./tools/ts-register.js apps/example-two-nodes/src/main.ts &
 *   REDIS_URL=redis://127.0.0.1:6379 node -r ./tools/ts-register.js apps/example-push-worker/src/main.ts
 *
 * A client of either web node that joined `news:headlines` (for instance apps/example-node-client with
 * `--room news:headlines`) gets a headline a second. Environment: REDIS_URL, CHANNEL (news:headlines),
 * INTERVAL_MS (1000), COUNT (stop after that many; 0, the default: until Ctrl-C).
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { HeadlinesPublisher } from './headlines.publisher';
import { WorkerModule } from './worker.module';

async function main(): Promise<void> {
  const worker = await NestFactory.createApplicationContext(
    WorkerModule.forRoot({
      redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      channel: process.env.CHANNEL ?? 'news:headlines',
      interval: Number(process.env.INTERVAL_MS ?? 1000),
      count: Number(process.env.COUNT ?? 0),
    }),
    { logger: ['warn', 'error', 'fatal'] },
  );
  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= worker.close().then(() => process.exit(0)));
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
  console.log('worker started');
  await worker.get(HeadlinesPublisher).done;
  await stop();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
