import { Inject, Injectable, OnApplicationBootstrap, WebSocketAdapter } from '@nestjs/common';
import { ApplicationConfig, HttpAdapterHost } from '@nestjs/core';
import type { RealtimeEngine } from '../../engine/realtime-engine.interface';
import { RealtimeLogger } from '../../logging/realtime.logger';
import type { ResolvedRealtimeOptions } from '../../options/realtime-options.resolver';
import { REALTIME_ENGINE, REALTIME_OPTIONS } from '../../realtime.constants';
import { RealtimeAdapter } from './realtime.adapter';
import { GATEWAYS_WITHOUT_ADAPTER, PATH_NOT_SERVED, SERVING_ON } from '../../realtime.messages';

/**
 * Holds the application's WebSocket adapter slot until `app.useWebSocketAdapter(new RealtimeAdapter(app))`
 * takes it. Nest wires the gateways to whatever adapter is there; with none it would try to load
 * Socket.IO (and exit the process when it is not installed), so this one fails that with what to do.
 */
class MissingRealtimeAdapter implements WebSocketAdapter {
  constructor(private readonly path: string) {}

  create(): never {
    throw new Error(GATEWAYS_WITHOUT_ADAPTER(this.path));
  }

  bindClientConnect(): void {}

  bindMessageHandlers(): void {}

  async close(): Promise<void> {}

  async dispose(): Promise<void> {}
}

/** "MemoryEngine" → "memory engine"; the class name of an engine named otherwise. */
function engineName(engine: RealtimeEngine): string {
  const name = (engine as object).constructor?.name;
  if (!name || name === 'Object') return 'custom engine';
  if (!/^.+Engine$/.test(name)) return name;
  return `${name.slice(0, -'Engine'.length).replace(/(?<=[a-z0-9])(?=[A-Z])/g, ' ').toLowerCase()} engine`;
}

/**
 * Makes a missing `RealtimeAdapter` plain: with gateways the bootstrap fails saying how to install it;
 * without, a warning says the realtime path is not served. Once served, logs one line: path, engine, node.
 */
@Injectable()
export class RealtimeAdapterCheck implements OnApplicationBootstrap {
  private readonly logger: RealtimeLogger;

  constructor(
    private readonly config: ApplicationConfig,
    private readonly http: HttpAdapterHost,
    @Inject(REALTIME_OPTIONS) private readonly options: ResolvedRealtimeOptions,
    @Inject(REALTIME_ENGINE) private readonly engine: RealtimeEngine,
  ) {
    this.logger = new RealtimeLogger('RealtimeModule', options.logLevels);
    // Now, while the application is being created: Nest wires the gateways before any lifecycle hook runs.
    if (!config.getIoAdapter()) config.setIoAdapter(new MissingRealtimeAdapter(options.path));
  }

  onApplicationBootstrap(): void {
    const adapter = this.config.getIoAdapter();
    if (adapter instanceof RealtimeAdapter) {
      this.logger.log(SERVING_ON(this.options.path, engineName(this.engine), this.engine.nodeId));
      return;
    }
    // A standalone application context has no HTTP server to serve on.
    if (!this.http.httpAdapter) return;
    const installed = adapter instanceof MissingRealtimeAdapter ? undefined : adapter?.constructor?.name;
    this.logger.warn(PATH_NOT_SERVED(this.options.path, installed));
  }
}
