import type { INestApplication, LogLevel, ModuleMetadata, Provider, Type } from '@nestjs/common';
import { Test, TestingModule, TestingModuleBuilder } from '@nestjs/testing';
import type { AddressInfo } from 'net';
import type { ResolvedRealtimeOptions } from '../options/realtime-options.resolver';
import type { RealtimeModuleOptions } from '../options/realtime-options.interface';
import { REALTIME_OPTIONS } from '../realtime.constants';
import { RealtimeModule } from '../realtime.module';
import { RealtimeAdapter } from '../transport/adapter/realtime.adapter';
import { RealtimeTestClient, RealtimeTestClientOptions } from './realtime-test.client';
import { TWO_REALTIME_MODULES } from './realtime-testing.messages';

type ModuleImport = NonNullable<ModuleMetadata['imports']>[number];

export interface RealtimeTestingAppOptions {
  /** Modules of the application under test: feature modules, or your AppModule as a whole. Default: none. */
  imports?: ModuleImport[];
  /** Providers of the testing module: gateways, services, hooks. Default: none. */
  providers?: Provider[];
  /** Controllers of the testing module. Default: none. */
  controllers?: Type<unknown>[];
  /**
   * Options of the `RealtimeModule.forRoot` the testing app imports. Leave it out when `imports` bring a
   * RealtimeModule of their own (your AppModule): that one is tested as it is. Default: `{}` when they
   * do not.
   */
  realtime?: RealtimeModuleOptions;
  /** Changes to the testing module before it is compiled, e.g. `(builder) => builder.overrideProvider(Mailer).useValue(fake)`. */
  configure?: (builder: TestingModuleBuilder) => TestingModuleBuilder | void;
  /** What your main.ts does to the application before it listens (global pipes, middleware…). Default: nothing. */
  setup?: (app: INestApplication) => void | Promise<void>;
  /** The application's log levels, or `false` for none. Default: `['error', 'fatal']`. */
  logger?: LogLevel[] | false;
  /** ms its clients wait for a welcome, a frame, a reply or a close before failing. Default: 2000. */
  timeout?: number;
}

/** Whether these imports (or the modules they import) hold a RealtimeModule. Promises and forward references are not followed. */
function importsRealtimeModule(imports: readonly unknown[], seen = new Set<unknown>()): boolean {
  return imports.some((entry) => {
    if (!entry || seen.has(entry)) return false;
    seen.add(entry);
    if (entry === RealtimeModule) return true;
    if (typeof entry === 'function') return importsRealtimeModule(Reflect.getMetadata('imports', entry) ?? [], seen);
    if (typeof entry === 'object' && 'module' in entry) {
      const dynamic = entry as { module: unknown; imports?: unknown[] };
      return importsRealtimeModule([dynamic.module, ...(dynamic.imports ?? [])], seen);
    }
    return false;
  });
}

/**
 * A Nest application for a test, made from a `TestingModule` the way a `main.ts` makes one: with
 * `RealtimeAdapter`, listening on a free port of 127.0.0.1. `client()` opens connections to it.
 */
export class RealtimeTestingApp {
  private readonly clients = new Set<RealtimeTestClient>();
  private closing?: Promise<void>;

  constructor(
    readonly app: INestApplication,
    readonly moduleRef: TestingModule,
    /** The realtime endpoint: `ws://127.0.0.1:<port><path>`. */
    readonly url: string,
    /** The application's HTTP address, for its controllers: `http://127.0.0.1:<port>`. */
    readonly httpUrl: string,
    private readonly timeout?: number,
  ) {}

  /** A provider of the application, wherever it is declared (`ChannelService`, your own…). */
  get<T = any>(typeOrToken: Type<T> | string | symbol): T {
    return this.app.get(typeOrToken, { strict: false });
  }

  /**
   * Connects a client with these query parameters (e.g. `{ token }`) and resolves once it is welcomed;
   * an upgrade the server refuses rejects with an `UpgradeRefusedError` (its `status`). Clients still
   * open at `close()` are cut then.
   */
  async client(query: Record<string, string> = {}, options: RealtimeTestClientOptions = {}): Promise<RealtimeTestClient> {
    const search = new URLSearchParams(query).toString();
    const client = await RealtimeTestClient.connect(search ? `${this.url}?${search}` : this.url, { timeout: this.timeout, ...options });
    this.clients.add(client);
    return client;
  }

  /** Closes the application as a shutdown does (clients get 1001), then cuts any client socket left. Once, however often it is called. */
  close(): Promise<void> {
    this.closing ??= this.app.close().finally(() => Promise.all([...this.clients].map((client) => client.terminate())));
    return this.closing;
  }
}

/**
 * Compiles a `TestingModule` with `RealtimeModule` and what the test brings, and starts it as an
 * application on port 0 of 127.0.0.1. Close it after the test: `await testing.close()`.
 */
export async function createRealtimeTestingApp(options: RealtimeTestingAppOptions = {}): Promise<RealtimeTestingApp> {
  const imports = options.imports ?? [];
  const ownModule = importsRealtimeModule(imports);
  if (ownModule && options.realtime) throw new Error(TWO_REALTIME_MODULES);
  let builder = Test.createTestingModule({
    imports: ownModule ? imports : [RealtimeModule.forRoot(options.realtime ?? {}), ...imports],
    providers: options.providers ?? [],
    controllers: options.controllers ?? [],
  });
  builder = options.configure?.(builder) ?? builder;
  const moduleRef = await builder.compile();
  const app = moduleRef.createNestApplication({ logger: options.logger ?? ['error', 'fatal'] });
  try {
    app.useWebSocketAdapter(new RealtimeAdapter(app));
    await options.setup?.(app);
    await app.listen(0, '127.0.0.1');
  } catch (error) {
    await app.close().catch(() => undefined);
    throw error;
  }
  const { port } = app.getHttpServer().address() as AddressInfo;
  const { path } = app.get<ResolvedRealtimeOptions>(REALTIME_OPTIONS, { strict: false });
  return new RealtimeTestingApp(app, moduleRef, `ws://127.0.0.1:${port}${path}`, `http://127.0.0.1:${port}`, options.timeout);
}
