import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { IncomingMessage, Server } from 'http';
import type { Duplex } from 'stream';
import { RawData, WebSocket, WebSocketServer } from 'ws';
import { AuditService } from '../../services/audit/audit.service';
import { ConnectionLifecycle } from '../../services/connection/connection.lifecycle';
import { ConnectionRegistry } from '../../services/connection/connection.registry';
import { ConnectionService } from '../../services/connection/connection.service';
import { RealtimeConnection } from '../../services/connection/realtime-connection';
import type { RealtimeEngine } from '../../engine/realtime-engine.interface';
import { RealtimeLogger } from '../../logging/realtime.logger';
import { MiddlewarePipeline } from '../../pipeline/middleware/middleware.pipeline';
import type { UpgradeContext } from '../upgrade/upgrade-context';
import type { ResolvedRealtimeOptions } from '../../options/realtime-options.resolver';
import { PresenceService } from '../../services/presence/presence.service';
import { CloseCode, JSON_SUBPROTOCOL, MSGPACK_SUBPROTOCOL } from '@nest-realtime/protocol';
import { REALTIME_ENGINE, REALTIME_OPTIONS } from '../../realtime.constants';
import { FrameDispatcher } from '../../pipeline/dispatch/frame.dispatcher';
import { perMessageDeflate } from './per-message-deflate';
import { UpgradeHandler, UpgradeRejection } from '../upgrade/upgrade.handler';
import { refuseUpgrade as refuse } from '../upgrade/upgrade-refusal';
import type { ProtocolEndpoint } from '../protocols/protocol-endpoint';
import { TranslatedConnection } from '../../services/connection/translated-connection';
import type { Http2ServerRequest } from 'http2';
import { acceptWebSocketStream, isWebSocketConnect, malformedConnect, refuseStream, upgradeRequestOf } from '../http2/websocket-stream';

/** The first subprotocol the client offers that the server speaks, in the client's order; none means JSON. */
function chooseSubprotocol(offered: Set<string>): string | false {
  for (const name of offered) if (name === JSON_SUBPROTOCOL || name === MSGPACK_SUBPROTOCOL) return name;
  return false;
}

/** An upgrading socket's 'error' listener until `ws` takes the socket over: one function for all (`this` is the socket). */
function destroySocket(this: Duplex): void {
  this.destroy();
}

/** How long shutdown waits for peers to finish the close handshake. */
const SHUTDOWN_GRACE_MS = 1000;

/**
 * The WebSocket server on the application's HTTP server: accepts upgrades on the configured path,
 * opens connections, feeds their frames to the dispatcher, and closes them all at shutdown.
 */
@Injectable()
export class RealtimeServer implements OnModuleInit, BeforeApplicationShutdown, OnApplicationShutdown {
  readonly wss: WebSocketServer;
  private readonly logger: RealtimeLogger;
  private httpServer?: Server;
  /** Every socket's 'message' listener: one function for all (`this` is the socket), not a closure each. */
  private readonly socketMessage: (this: WebSocket, data: RawData, isBinary: boolean) => void;
  /** Endpoints of other protocols on the same HTTP server (see `ProtocolEndpoints`). */
  private readonly endpoints: ProtocolEndpoint[] = [];

  constructor(
    @Inject(REALTIME_OPTIONS) private readonly options: ResolvedRealtimeOptions,
    @Inject(REALTIME_ENGINE) private readonly engine: RealtimeEngine,
    private readonly registry: ConnectionRegistry,
    private readonly lifecycle: ConnectionLifecycle,
    private readonly connections: ConnectionService,
    private readonly presence: PresenceService,
    private readonly upgrades: UpgradeHandler,
    private readonly dispatcher: FrameDispatcher,
    private readonly pipeline: MiddlewarePipeline,
    private readonly audit: AuditService,
  ) {
    this.logger = new RealtimeLogger('RealtimeServer', options.logLevels);
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: options.maxFrameBytes,
      perMessageDeflate: perMessageDeflate(options.compression),
      handleProtocols: chooseSubprotocol,
    });
    this.wss.on('connection', (socket: WebSocket, _request: IncomingMessage, context: UpgradeContext) => this.opened(socket, context));
    const frames = this.dispatcher;
    this.socketMessage = function (data, isBinary) {
      const connection = RealtimeConnection.of(this);
      if (connection) frames.dispatch(connection, data, isBinary);
    };
    // With the lifecycle's own 'close' listener, rather than one more listener per socket.
    // Those of other protocols did not go through the middleware.
    lifecycle.onSocketClose((connection, code) => {
      if (!(connection instanceof TranslatedConnection)) this.pipeline.closed(connection, connection.closeCode ?? code);
    });
  }

  async onModuleInit(): Promise<void> {
    await this.engine.bind(this.registry);
  }

  get path(): string {
    return this.options.path;
  }

  /** Starts taking upgrades on an HTTP server (once). */
  attach(httpServer: Server): void {
    if (this.httpServer === httpServer) return;
    if (this.httpServer) throw new Error('RealtimeServer: already attached to another HTTP server.');
    this.httpServer = httpServer;
    httpServer.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => void this.upgrade(request, socket, head));
    // An HTTP/2 server (`createHttp2Server`) hands its CONNECT streams here; an HTTP/1.1 CONNECT gets what Node gives it without a listener.
    httpServer.on('connect', (request: IncomingMessage | Http2ServerRequest, socket: unknown) => {
      if (request.httpVersionMajor === 2) void this.connectStream(request as Http2ServerRequest);
      else if (httpServer.listenerCount('connect') === 1) (socket as Duplex).destroy();
    });
  }

  /** Hands the upgrades `endpoint.matches` to it (an endpoint of another protocol, see `ProtocolEndpoints`). */
  addEndpoint(endpoint: ProtocolEndpoint): void {
    this.endpoints.push(endpoint);
  }

  private async upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    if (!this.upgrades.isOwnPath(request)) {
      const endpoint = this.endpoints.find((each) => each.matches(request));
      if (endpoint) this.handOver(endpoint, request, socket, head);
      else if (this.httpServer && this.httpServer.listenerCount('upgrade') === 1) refuse(socket, 404, 'No WebSocket endpoint at this path.');
      return;
    }
    socket.on('error', destroySocket);
    const context = this.upgrades.context(request);
    const rejection = await this.check(context);
    if (rejection) return refuse(socket, rejection.status, rejection.message);
    if (socket.destroyed) return context.abandon();
    // Corked, the 101 response and the first frames (welcome, state) leave in one write: one segment for the client to read.
    socket.cork();
    try {
      // Without verifyClient, `ws` accepts or refuses at once: by the time it returns the callback has run, or never will.
      this.wss.handleUpgrade(request, socket, head, (ws) => {
        // From here on `ws` handles the socket's errors.
        socket.off('error', destroySocket);
        this.wss.emit('connection', ws, request, context);
      });
    } finally {
      socket.uncork();
      // Refused by `ws` (a malformed handshake, a client already gone): the upgrade gives its place in the limits back.
      context.abandon();
    }
  }

  /**
   * A WebSocket over HTTP/2 (RFC 8441): an extended CONNECT stream goes through the same checks as an
   * upgrade, then carries a `ws` socket of the same server. Other protocols' endpoints take HTTP/1.1 upgrades only.
   */
  private async connectStream(request: Http2ServerRequest): Promise<void> {
    const stream = request.stream;
    if (!isWebSocketConnect(request)) return refuseStream(stream, 501, 'Only WebSockets (extended CONNECT, :protocol websocket) are served over CONNECT.');
    if (!this.upgrades.isOwnPath(request as unknown as IncomingMessage)) return refuseStream(stream, 404, 'No WebSocket endpoint at this path.');
    const malformed = malformedConnect(request);
    if (malformed) return refuseStream(stream, 400, malformed);
    const destroy = () => stream.destroy();
    stream.on('error', destroy);
    const context = this.upgrades.context(upgradeRequestOf(request), 'h2');
    const rejection = await this.check(context);
    if (rejection) return refuseStream(stream, rejection.status, rejection.message);
    if (stream.destroyed || stream.closed) return context.abandon();
    const socket = acceptWebSocketStream(this.wss, request);
    stream.off('error', destroy);
    this.wss.emit('connection', socket, request, context);
  }

  /** Runs the upgrade checks; the refusal (already recorded, the context abandoned), or undefined when accepted. */
  private async check(context: UpgradeContext): Promise<UpgradeRejection | undefined> {
    try {
      await this.upgrades.accept(context);
      return undefined;
    } catch (error) {
      if (!(error instanceof UpgradeRejection)) this.logger.error('Upgrade failed', error);
      const rejection = error instanceof UpgradeRejection ? error : new UpgradeRejection(503, 'The server could not accept the connection.');
      context.abandon();
      this.refused(context, rejection);
      return rejection;
    }
  }

  private handOver(endpoint: ProtocolEndpoint, request: IncomingMessage, socket: Duplex, head: Buffer): void {
    try {
      endpoint.upgrade(request, socket, head);
    } catch (error) {
      this.logger.error('An endpoint failed to take an upgrade', error);
      refuse(socket, 500, 'The server could not accept the connection.');
    }
  }

  private refused(context: UpgradeContext, rejection: UpgradeRejection): void {
    this.pipeline.refused(context, rejection);
    this.audit.record({
      type: 'upgrade.refused',
      connectionId: null,
      clientId: context.identity?.clientId ?? null,
      ip: context.ip,
      status: rejection.status,
      reason: rejection.message,
    });
  }

  private opened(socket: WebSocket, context: UpgradeContext): void {
    context.open();
    const connection = this.lifecycle.open(socket, context.identity, context.ip);
    connection.transport = context.transport;
    socket.on('message', this.socketMessage);
    this.pipeline.opened(connection, context);
  }

  /** Whether new connections are taken: the HTTP server listens, and neither a drain nor the shutdown has started. */
  get accepting(): boolean {
    return this.httpServer?.listening === true && this.upgrades.accepting;
  }

  /**
   * Shutdown: refuse new upgrades; drain (as `drain.onShutdown` says, or when a drain is under way); then
   * announce the leaves of what is left and close those sockets (1001, or 1012 for a restart).
   */
  async beforeApplicationShutdown(signal?: string): Promise<void> {
    this.upgrades.refuseAll();
    const { onShutdown } = this.options.drain;
    if (onShutdown === true || (onShutdown === 'signal' && signal !== undefined) || this.connections.draining) await this.connections.drain();
    const code = this.connections.closeCodeAtShutdown;
    const open = [...this.registry.all()];
    // Frames that arrive from here on would act on connections already released.
    for (const connection of open) connection.socket.removeAllListeners('message');
    await Promise.allSettled(open.map((connection) => this.lifecycle.release(connection, code)));
    this.presence.flush();
    for (const connection of open) connection.close(code, code === CloseCode.ServiceRestart ? 'service restart' : 'server going away');
    // These, and those a drain closed whose handshake is not over yet.
    const closed = [...this.wss.clients].map((socket) => new Promise<void>((resolve) => {
      if (socket.readyState === WebSocket.CLOSED) return resolve();
      socket.once('close', () => resolve());
    }));
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, SHUTDOWN_GRACE_MS)));
    await Promise.race([Promise.all(closed), grace]);
    clearTimeout(timer);
    for (const socket of this.wss.clients) socket.terminate();
  }

  /** Closes the WebSocket server itself; called by the adapter when Nest closes its servers. */
  async close(): Promise<void> {
    for (const socket of this.wss.clients) socket.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.close();
    await this.engine.close();
  }
}
