import { NestFactory } from '@nestjs/core';
import { RealtimeAdapter } from '@nest-realtime/core';
import type { AddressInfo } from 'net';
import { AppModule } from './app.module';

async function bootstrap() {
  const app = await NestFactory.create(AppModule, { logger: ['error', 'warn'] });
  app.useWebSocketAdapter(new RealtimeAdapter(app));
  app.enableShutdownHooks();
  await app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  console.log(`READY ${port}`);
}
void bootstrap();
