import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { IncomingMessage } from 'http';
import type { Duplex } from 'stream';
import { RawData, WebSocket, WebSocketServer } from 'ws';
import { RealtimeConnection } from '@nest-realtime/core';
import type { ProtocolEndpoint, TranslatedConnection } from '@nest-realtime/core/protocols';
import { PUSHER_OPTIONS } from '../pusher.constants';
import type { ResolvedPusherApp, ResolvedPusherOptions } from '../options/pusher-options.resolver';
import { RealtimeServicesAccessor } from '../realtime-services.accessor';
import { PusherErrorCode } from '../protocol/pusher.error-codes';
import { PusherEvent } from '../protocol/pusher.events';
import { encodePusherFrame, errorFrame } from '../protocol/pusher.frames';
import { APP_DISABLED, APP_NOT_FOUND, NO_PROTOCOL, OVER_CAPACITY, UNSUPPORTED_PROTOCOL } from '../pusher.messages';
import { NativeFrames } from './native-frames';
import { PusherDispatcher } from './pusher.dispatcher';
import { PusherSession } from './pusher-session';
import { newSocketId } from './socket-id';
import { SERVER_TO_USER_PREFIX } from '../channels/server-to-user';

/** The largest inbound frame; larger ones close the connection (ws: 1009, which pusher-js does not retry). */
const MAX_FRAME_BYTES = 64 * 1024;
/** The protocol versions spoken: pusher-js 4 and later send 7. */
const PROTOCOLS = new Set(['5', '6', '7']);
const ignore = () => undefined;

/** The app key of the path's last part; a malformed escape is no key. */
function keyOf(part: string): string {
  try {
    return decodeURIComponent(part.replace(/\/+$/, ''));
  } catch {
    return part;
  }
}

/**
 * The Pusher WebSocket endpoint, `ws(s)://host{path}/{key}?protocol=7`, on the core's HTTP server: each
 * accepted socket becomes a core connection (clientId: its socket_id) whose native frames a
 * `PusherSession` translates.
 */
@Injectable()
export class PusherEndpoint implements ProtocolEndpoint, OnModuleInit, OnApplicationShutdown {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false });
  /** One decoder for every connection: a broadcast's frame is decoded once. */
  private readonly frames = new NativeFrames();
  private readonly openByApp = new Map<string, number>();
  private readonly logger = new Logger('RealtimePusher');
  private readonly socketMessage: (this: WebSocket, data: RawData, isBinary: boolean) => void;

  constructor(
    @Inject(PUSHER_OPTIONS) private readonly options: ResolvedPusherOptions,
    private readonly services: RealtimeServicesAccessor,
    dispatcher: PusherDispatcher,
  ) {
    this.socketMessage = function (data, isBinary) {
      const connection = RealtimeConnection.of(this) as TranslatedConnection | undefined;
      if (connection) dispatcher.dispatch(connection, data, isBinary);
    };
  }

  onModuleInit(): void {
    this.services.endpoints.register(this);
    // Out of the box, Pusher's channel kinds for native clients too; the application's rules come first.
    this.services.channels.addDefaultRules(
      this.options.apps.flatMap(({ channelPrefix: prefix }) => [
        { pattern: `${prefix}presence-*`, presence: true, private: true },
        { pattern: `${prefix}private-*`, private: true },
        { pattern: `${prefix}${SERVER_TO_USER_PREFIX}*`, private: true, publish: 'server' as const },
      ]),
    );
  }

  matches(request: IncomingMessage): boolean {
    const url = request.url ?? '/';
    return url.startsWith(`${this.options.path}/`);
  }

  upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const refusal = this.services.endpoints.originRefusal(request);
    if (refusal !== undefined) return this.services.endpoints.refuseUpgrade(socket, 403, refusal);
    const destroy = () => socket.destroy();
    socket.on('error', destroy);
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      socket.off('error', destroy);
      try {
        this.opened(ws, request);
      } catch (error) {
        this.logger.error('Could not open a Pusher connection', error instanceof Error ? error.stack : String(error));
        ws.terminate();
      }
    });
  }

  private opened(socket: WebSocket, request: IncomingMessage): void {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const key = keyOf(url.pathname.slice(this.options.path.length + 1));
    const app = this.options.byKey.get(key);
    if (!app) return this.refuse(socket, PusherErrorCode.AppNotFound, APP_NOT_FOUND(key.slice(0, 64)));
    if (!app.enabled) return this.refuse(socket, PusherErrorCode.AppDisabled, APP_DISABLED(app.id));
    const protocol = url.searchParams.get('protocol');
    if (protocol === null) return this.refuse(socket, PusherErrorCode.NoProtocolVersion, NO_PROTOCOL);
    if (!PROTOCOLS.has(protocol)) return this.refuse(socket, PusherErrorCode.UnsupportedProtocolVersion, UNSUPPORTED_PROTOCOL(protocol.slice(0, 16)));
    const { endpoints } = this.services;
    const open = this.openByApp.get(app.id) ?? 0;
    if (!endpoints.accepting || endpoints.full || (app.maxConnections > 0 && open >= app.maxConnections)) {
      return this.refuse(socket, PusherErrorCode.OverCapacity, OVER_CAPACITY);
    }
    const socketId = newSocketId();
    const session = new PusherSession(app, socketId, this.frames);
    const connection = endpoints.open(socket, { clientId: socketId, claims: { pusher: { appId: app.id } } }, endpoints.clientIp(request), session);
    this.count(app, 1);
    socket.once('close', () => this.count(app, -1));
    socket.on('message', this.socketMessage);
    connection.write(encodePusherFrame(PusherEvent.ConnectionEstablished, { socket_id: socketId, activity_timeout: this.options.activityTimeout }));
  }

  /** `pusher:error` with the code, then the close with it: pusher-js acts on either. */
  private refuse(socket: WebSocket, code: number, message: string): void {
    socket.on('error', ignore);
    socket.send(errorFrame(code, message));
    socket.close(code, message.slice(0, 120));
    setTimeout(() => socket.terminate(), 2000).unref();
  }

  private count(app: ResolvedPusherApp, delta: number): void {
    const open = (this.openByApp.get(app.id) ?? 0) + delta;
    if (open > 0) this.openByApp.set(app.id, open);
    else this.openByApp.delete(app.id);
  }

  async onApplicationShutdown(): Promise<void> {
    // The core closed and released them (beforeApplicationShutdown); any socket left is cut.
    for (const socket of this.wss.clients) socket.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}
