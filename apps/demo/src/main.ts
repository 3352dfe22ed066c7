import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConnectionService, RealtimeAdapter } from '@nest-realtime/core';
import { filter } from 'rxjs';
import { AppModule } from './app.module';
import { DEMO_CONFIG, DemoConfig, loadDemoTls, logLevelsFrom, REALTIME_PATH } from './config/demo.config';
import { demoHttpAdapter } from './config/demo-http.adapter';

async function bootstrap(): Promise<void> {
  // The config (and LOG_LEVEL) is only known once the container has read it: logs wait until then.
  // The HTTP server is made with the application, before the container reads the config: TLS is read first.
  const app = await NestFactory.create(AppModule, demoHttpAdapter(loadDemoTls()), { bufferLogs: true });
  const config = app.get<DemoConfig>(DEMO_CONFIG);
  app.useLogger(logLevelsFrom(config.logLevel));
  app.useWebSocketAdapter(new RealtimeAdapter(app));
  // SIGTERM drains over DRAIN_MS (see AppModule), then the process ends.
  app.enableShutdownHooks();
  // So does a drain asked for at run time (the admin API): once it is over, the usual shutdown (a second SIGTERM during one is ignored).
  app
    .get(ConnectionService)
    .drain$.pipe(filter((event) => event.type === 'end'))
    .subscribe(() => process.kill(process.pid, 'SIGTERM'));
  await app.listen(config.port);
  const url = `${config.tls ? 'https' : 'http'}://localhost:${config.port}`;
  const ws = url.replace(/^http/, 'ws');
  new Logger('Demo').log(`Listening on ${url}${config.tls ? ' (HTTP/2 and HTTP/1.1)' : ''} (WebSocket: ${ws}${REALTIME_PATH}; Pusher: ${ws}/app/${config.pusherApp.key}, page ${url}/pusher)`);
}

bootstrap().catch((error: unknown) => {
  Logger.flush();
  new Logger('Demo').error('The demo could not start', error instanceof Error ? error.stack : String(error));
  process.exit(1);
});
