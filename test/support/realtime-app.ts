import { DynamicModule, INestApplication, Provider, Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { AddressInfo } from 'net';
import { filter, firstValueFrom } from 'rxjs';
import type { ClientOptions } from 'ws';
import { ConnectionService, RealtimeAdapter, RealtimeModule, RealtimeModuleOptions } from '@nest-realtime/core';
import type { ConnectionEvent } from '@nest-realtime/core';
import { TestClient } from './test-client';

export interface AppExtras {
  /** Gateways and other providers of the application module. */
  providers?: Provider[];
  /** Other modules of the application (health, metrics…), beside RealtimeModule. */
  imports?: Array<Type | DynamicModule>;
}

/**
 * A real Nest application on a loopback port, with `RealtimeModule` and `RealtimeAdapter` installed the
 * way an application's `main.ts` does it.
 */
export class RealtimeTestApp {
  private readonly clients = new Set<TestClient>();
  private closing?: Promise<void>;

  private constructor(
    readonly app: INestApplication,
    /** `ws://127.0.0.1:<port><path>` */
    readonly url: string,
    /** `http://127.0.0.1:<port>` */
    readonly http: string,
  ) {}

  static async start(options: RealtimeModuleOptions = {}, extras: AppExtras = {}): Promise<RealtimeTestApp> {
    const moduleRef = await Test.createTestingModule({
      imports: [RealtimeModule.forRoot(options), ...(extras.imports ?? [])],
      providers: extras.providers ?? [],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    app.useWebSocketAdapter(new RealtimeAdapter(app));
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as AddressInfo;
    return new RealtimeTestApp(app, `ws://127.0.0.1:${port}${options.path ?? '/realtime'}`, `http://127.0.0.1:${port}`);
  }

  get<T>(type: Type<T>): T {
    return this.app.get(type, { strict: false });
  }

  /** The endpoint's URL with query parameters. */
  urlWith(query: Record<string, string>): string {
    return `${this.url}?${new URLSearchParams(query).toString()}`;
  }

  /** Connects a client (welcome received); it is terminated at `close()` if still open. */
  async connect(query?: Record<string, string>, options?: ClientOptions, protocols?: string[]): Promise<TestClient> {
    const client = await TestClient.connect(query ? this.urlWith(query) : this.url, options, protocols);
    this.clients.add(client);
    return client;
  }

  /** Resolves with the `close` event of a connection; call it before closing the connection. */
  released(connectionId: string): Promise<ConnectionEvent> {
    return firstValueFrom(
      this.get(ConnectionService).connection$.pipe(filter((event) => event.type === 'close' && event.connectionId === connectionId)),
    );
  }

  /** Closes the application (once, however often it is called), as a process's shutdown does. */
  shutdown(): Promise<void> {
    this.closing ??= this.app.close();
    return this.closing;
  }

  /** Closes the application, then cuts any client socket still open so that no handle is left. */
  async close(): Promise<void> {
    try {
      await this.shutdown();
    } finally {
      await Promise.all([...this.clients].map((client) => client.terminate()));
      this.clients.clear();
    }
  }
}
