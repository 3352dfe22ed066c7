import type { INestApplicationContext } from '@nestjs/common';
import { normalizePath } from '@nestjs/common/utils/shared.utils';
import { WsAdapter } from '@nestjs/platform-ws';
import type { MessageMappingProperties } from '@nestjs/websockets';
import type { Observable } from 'rxjs';
import type { WebSocket, WebSocketServer } from 'ws';
import { RealtimeConnection } from '../../services/connection/realtime-connection';
import { GatewayFiltersBinder } from '../../pipeline/dispatch/gateway-filters.binder';
import { RealtimeServer } from '../server/realtime.server';
import { NEEDS_REALTIME_MODULE, PATH_IN_GATEWAY, PORT_IN_GATEWAY } from '../../realtime.messages';

type HttpApplication = INestApplicationContext & { getHttpServer(): any };

/**
 * Serves `RealtimeModule` and every `@WebSocketGateway` of the application on one path of the HTTP
 * server. Install it once: `app.useWebSocketAdapter(new RealtimeAdapter(app))`.
 */
export class RealtimeAdapter extends WsAdapter {
  private readonly realtime: RealtimeServer;

  constructor(app: HttpApplication) {
    super(app);
    let realtime: RealtimeServer;
    try {
      realtime = app.get(RealtimeServer, { strict: false });
    } catch {
      throw new Error(NEEDS_REALTIME_MODULE);
    }
    this.realtime = realtime;
    realtime.attach(app.getHttpServer());
    app.get(GatewayFiltersBinder, { strict: false }).bind();
  }

  create(port: number, options: { path?: string; [key: string]: unknown } = {}): WebSocketServer {
    if (port) {
      throw new Error(PORT_IN_GATEWAY(port));
    }
    if (options.path && normalizePath(options.path) !== normalizePath(this.realtime.path)) {
      throw new Error(PATH_IN_GATEWAY(this.realtime.path, options.path));
    }
    return this.realtime.wss;
  }

  bindMessageHandlers(client: WebSocket, handlers: MessageMappingProperties[], transform: (data: any) => Observable<any>): void {
    const connection = RealtimeConnection.of(client);
    if (!connection) return;
    for (const { message, callback } of handlers) {
      connection.bindAppHandler(String(message), { callback: callback as (data: unknown, context: unknown) => unknown, transform });
    }
  }

  async close(): Promise<void> {
    await this.realtime.close();
  }

  async dispose(): Promise<void> {}
}
