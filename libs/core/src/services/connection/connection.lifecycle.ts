import { Inject, Injectable, OnApplicationShutdown, Optional } from '@nestjs/common';
import { Observable } from 'rxjs';
import type { WebSocket } from 'ws';
import { AuditService } from '../audit/audit.service';
import { ChannelService } from '../channel/channel.service';
import { CleanupService } from '../../upkeep/cleanup/cleanup.service';
import { HeartbeatCadence } from '../../upkeep/heartbeat/heartbeat.cadence';
import type { RealtimeEngine } from '../../engine/realtime-engine.interface';
import { EventStream } from '../../hooks/event-stream';
import type { ConnectionEvent } from '../../hooks/realtime-events';
import { RealtimeLogger } from '../../logging/realtime.logger';
import type { AuthResult } from '../../options/realtime-options.interface';
import type { ResolvedRealtimeOptions } from '../../options/realtime-options.resolver';
import { CloseCode, MSGPACK_SUBPROTOCOL } from '@nest-realtime/protocol';
import { ProtocolEvent } from '@nest-realtime/protocol';
import { REALTIME_ENGINE, REALTIME_OPTIONS } from '../../realtime.constants';
import { ResumeSessions } from '../resume/resume-sessions';
import { ConnectionRegistry } from './connection.registry';
import { ConnectionStateService } from './connection-state.service';
import { RealtimeConnection } from './realtime-connection';
import { type OutboundTranslator, TranslatedConnection } from './translated-connection';
import { newConnectionId } from './connection-id';
import { MsgpackConnection } from './msgpack-connection';

/**
 * `ws` closes a socket that breaks the protocol itself but, no longer reading, reports 1006 in its own
 * 'close' event: the connection is released with the code the peer was sent.
 */
const PROTOCOL_ERROR_CODES: Record<string, number> = {
  WS_ERR_UNSUPPORTED_MESSAGE_LENGTH: CloseCode.TooLarge,
  WS_ERR_INVALID_UTF8: CloseCode.InvalidPayload,
};

/** Opens connections (welcome, initial state) and releases them when they close. */
@Injectable()
export class ConnectionLifecycle implements OnApplicationShutdown {
  private readonly stream = new EventStream<ConnectionEvent>();
  readonly connection$: Observable<ConnectionEvent> = this.stream.events$;
  private readonly released = new WeakSet<RealtimeConnection>();
  private readonly releasing = new WeakMap<RealtimeConnection, Promise<void>>();
  private readonly logger: RealtimeLogger;
  /** Run when a socket closes, after the lifecycle took note of it (see `onSocketClose`). */
  private readonly closeHooks: Array<(connection: RealtimeConnection, code: number) => void> = [];
  /*
   * The listeners every socket gets: one function each for all of them, not closures per connection
   * (`ws` calls them with the socket as `this`, and the socket knows its connection).
   */
  private readonly socketPong: (this: WebSocket) => void;
  private readonly socketError: (this: WebSocket, error: Error) => void;
  private readonly socketClose: (this: WebSocket, code: number) => void;

  constructor(
    @Inject(REALTIME_OPTIONS) private readonly options: ResolvedRealtimeOptions,
    @Inject(REALTIME_ENGINE) private readonly engine: RealtimeEngine,
    private readonly registry: ConnectionRegistry,
    private readonly states: ConnectionStateService,
    private readonly channels: ChannelService,
    private readonly cleanup: CleanupService,
    private readonly audit: AuditService,
    private readonly sessions: ResumeSessions,
    @Optional() private readonly cadence?: HeartbeatCadence,
  ) {
    this.logger = new RealtimeLogger('RealtimeConnection', options.logLevels);
    const lifecycle = this;
    this.socketPong = function () {
      RealtimeConnection.of(this)?.touch();
    };
    this.socketError = function (error) {
      const connection = RealtimeConnection.of(this);
      if (connection) lifecycle.socketFailed(connection, error);
    };
    this.socketClose = function (code) {
      const connection = RealtimeConnection.of(this);
      if (connection) lifecycle.socketClosed(connection, code);
    };
  }

  /**
   * Runs `hook` whenever a socket opened here closes, right after the lifecycle queued its release: one
   * 'close' listener per socket serves them all.
   */
  onSocketClose(hook: (connection: RealtimeConnection, code: number) => void): void {
    this.closeHooks.push(hook);
  }

  /**
   * Registers an accepted socket; an anonymous one (no identity) is its own client. With a `translator`
   * the client speaks another protocol: no welcome (its protocol greets it) and no resume. A socket that
   * negotiated `realtime.v1.msgpack` gets the native protocol in MessagePack.
   */
  open(socket: WebSocket, identity: AuthResult | null, ip = '', translator?: OutboundTranslator): RealtimeConnection {
    const id = newConnectionId();
    const clientId = identity?.clientId ?? id;
    const claims = identity?.claims ?? {};
    const connection = translator
      ? new TranslatedConnection(id, clientId, claims, socket, translator)
      : socket.protocol === MSGPACK_SUBPROTOCOL
        ? new MsgpackConnection(id, clientId, claims, socket)
        : new RealtimeConnection(id, clientId, claims, socket);
    connection.ip = ip;
    if (identity?.expiresAt !== undefined) connection.expiresAt = identity.expiresAt;
    connection.limitOutbound(this.options.limits.maxPendingBytes, this.slowConsumer);
    this.registry.add(connection);
    socket.on('pong', this.socketPong);
    socket.on('error', this.socketError);
    socket.on('close', this.socketClose);
    if (!translator) {
      const { interval, timeout } = this.cadence?.current ?? this.options.heartbeat;
      const resume = this.sessions.grant(connection);
      const welcome = { connectionId: connection.id, clientId: connection.clientId, heartbeat: { interval, timeout } };
      connection.sendFrame(ProtocolEvent.Welcome, resume ? { ...welcome, resume } : welcome);
    }
    this.states.start(connection);
    const record = { connectionId: connection.id, clientId: connection.clientId, state: connection.state, connectedAt: connection.connectedAt };
    this.engine.directory.opened(record).catch((error) => this.logger.warn(`Could not share connection ${connection.id}: ${String(error)}`));
    this.logger.debug(`Connection ${connection.id} opened for ${connection.clientId}`);
    this.stream.emit({ type: 'open', connectionId: connection.id, clientId: connection.clientId, claims: connection.claims, at: Date.now() });
    return connection;
  }

  private socketFailed(connection: RealtimeConnection, error: Error): void {
    this.logger.debug(`Socket error on ${connection.id}: ${error.message}`);
    const code = PROTOCOL_ERROR_CODES[(error as { code?: string }).code ?? ''];
    if (code !== undefined) this.closed(connection, code);
  }

  private socketClosed(connection: RealtimeConnection, code: number): void {
    this.closed(connection, code);
    for (const hook of this.closeHooks) hook(connection, code);
  }

  /** One function for every connection, rather than a closure each. */
  private readonly slowConsumer = (connection: RealtimeConnection): void =>
    this.kick(connection, CloseCode.SlowConsumer, 'slow consumer: too many bytes waiting to be sent');

  /** Closes a connection with a code and releases it at once, without waiting for the peer. */
  close(connection: RealtimeConnection, code: number, reason = ''): void {
    connection.close(code, reason);
    this.closed(connection, code);
  }

  /** Closes a connection for a reason of the server's (the application, a policy) and records it in the audit trail. */
  kick(connection: RealtimeConnection, code: number, reason: string): void {
    if (connection.isClosing) return;
    this.logger.debug(`Connection ${connection.id} of ${connection.clientId} closed with ${code}: ${reason}`);
    this.audit.record({ type: 'connection.kick', connectionId: connection.id, clientId: connection.clientId, ip: connection.ip, code, reason });
    this.close(connection, code, reason);
  }

  /** Queues the release of a closed connection (memberships, presence, groups) with the cleanup. */
  closed(connection: RealtimeConnection, code: number): void {
    connection.closeCode ??= code;
    if (this.released.has(connection)) return;
    this.released.add(connection);
    this.cleanup.enqueue({ key: `connection:${connection.id}`, run: () => this.release(connection, code) });
  }

  /** Leaves every channel (announcing presence leaves), drops the client's groups with its last connection. */
  async release(connection: RealtimeConnection, code: number): Promise<void> {
    connection.closeCode ??= code;
    this.released.add(connection);
    // A close and a stale sweep may release the same connection at once: they share one release.
    let running = this.releasing.get(connection);
    if (!running) {
      running = this.releaseOnce(connection, code).finally(() => this.releasing.delete(connection));
      this.releasing.set(connection, running);
    }
    return running;
  }

  private async releaseOnce(connection: RealtimeConnection, code: number): Promise<void> {
    // Where it was, for a resume, before its channels are left (another protocol has no resume).
    if (!(connection instanceof TranslatedConnection)) {
      await this.sessions.save(connection, code).catch((error) => this.logger.warn(`Could not keep the session of ${connection.id} for a resume: ${String(error)}`));
    }
    await this.channels.leaveAll(connection.id);
    if (!this.registry.get(connection.id)) return;
    await this.forget(connection.id, connection.clientId);
    this.registry.remove(connection);
    this.states.finish(connection, `closed ${code}`);
    this.logger.debug(`Connection ${connection.id} of ${connection.clientId} closed with ${code}`);
    this.stream.emit({ type: 'close', connectionId: connection.id, clientId: connection.clientId, claims: connection.claims, code, at: Date.now() });
  }

  /**
   * Forgets a connection whose channels are left, on this node or a dead one: the client leaves its
   * groups with its last connection on any node.
   */
  async forget(connectionId: string, clientId: string): Promise<void> {
    try {
      const { lastOfClient } = await this.engine.directory.closed(connectionId, clientId);
      if (!lastOfClient) return;
      for (const group of await this.engine.groups.groupsOf(clientId)) await this.engine.groups.remove(group, clientId);
    } catch (error) {
      this.logger.warn(`Could not forget connection ${connectionId} of ${clientId} everywhere: ${String(error)}`);
    }
  }

  onApplicationShutdown(): void {
    this.stream.complete();
  }
}
