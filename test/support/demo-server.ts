import { INestApplication, Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import * as http from 'http';
import * as https from 'https';
import type { AddressInfo } from 'net';
import { ConnectionService, RealtimeAdapter } from '@nest-realtime/core';
import { AppModule } from '../../apps/demo/src/app.module';
import { loadDemoTls } from '../../apps/demo/src/config/demo.config';
import { demoHttpAdapter } from '../../apps/demo/src/config/demo-http.adapter';

/** Environment the demo reads at startup; set for the life of each app, then restored. */
export type DemoEnv = Record<string, string>;

/**
 * The demo application, for real, on a loopback port, which it keeps across restarts so that clients
 * reconnect to the same URL. Set up the way `apps/demo/src/main.ts` does it.
 */
export class DemoServer {
  private app?: INestApplication;
  private port = 0;

  private constructor(private readonly env: DemoEnv) {}

  static async start(env: DemoEnv = {}): Promise<DemoServer> {
    const server = new DemoServer({ JWT_SECRET: 'client-e2e-secret', ...env });
    await server.start();
    return server;
  }

  /** Over HTTPS (HTTP/2 and HTTP/1.1) when the environment names TLS_CERT and TLS_KEY. */
  private get secure(): boolean {
    return this.env.TLS_CERT !== undefined;
  }

  get http(): string {
    return `${this.secure ? 'https' : 'http'}://127.0.0.1:${this.port}`;
  }

  get ws(): string {
    return `${this.secure ? 'wss' : 'ws'}://127.0.0.1:${this.port}/realtime`;
  }

  get running(): boolean {
    return this.app !== undefined;
  }

  get<T>(type: Type<T>): T {
    if (!this.app) throw new Error('The demo server is stopped.');
    return this.app.get(type, { strict: false });
  }

  async start(): Promise<void> {
    if (this.app) return;
    const saved = Object.fromEntries(Object.keys(this.env).map((name) => [name, process.env[name]]));
    Object.assign(process.env, this.env);
    try {
      const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
      const app = moduleRef.createNestApplication(demoHttpAdapter(loadDemoTls()), { logger: false });
      app.useWebSocketAdapter(new RealtimeAdapter(app));
      await app.listen(this.port, '127.0.0.1');
      this.port = (app.getHttpServer().address() as AddressInfo).port;
      this.app = app;
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  }

  /** Closes the app as a process's shutdown does (1001), or as a restart announced with 1012. */
  async stop({ restart = false } = {}): Promise<void> {
    const app = this.app;
    if (!app) return;
    this.app = undefined;
    if (restart) app.get(ConnectionService, { strict: false }).markRestarting();
    await app.close();
  }

  async restart(options: { restart?: boolean } = {}): Promise<void> {
    await this.stop(options);
    await this.start();
  }

  /** A token from `POST /auth/token`, on a fresh TCP connection: a pooled one may be dead after a restart. */
  tokenFor(user: string): Promise<string> {
    const body = JSON.stringify({ user });
    return new Promise((resolve, reject) => {
      // Over HTTPS the test's own certificate is trusted as it is.
      const request = (this.secure ? https : http).request(
        `${this.http}/auth/token`,
        { method: 'POST', agent: false, rejectUnauthorized: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            if (response.statusCode !== 200) return reject(new Error(`POST /auth/token answered ${response.statusCode}`));
            resolve((JSON.parse(Buffer.concat(chunks).toString()) as { token: string }).token);
          });
        },
      );
      request.on('error', reject);
      request.end(body);
    });
  }
}
