import { Inject, Injectable } from '@nestjs/common';
import type { IncomingMessage } from 'http';
import type { Duplex } from 'stream';
import type { WebSocket } from 'ws';
import type { ResolvedRealtimeOptions } from '../../options/realtime-options.resolver';
import { REALTIME_OPTIONS } from '../../realtime.constants';
import { ConnectionLifecycle } from '../../services/connection/connection.lifecycle';
import { ConnectionRegistry } from '../../services/connection/connection.registry';
import type { OutboundTranslator, TranslatedConnection } from '../../services/connection/translated-connection';
import { OriginMiddleware } from '../../pipeline/middleware/origin.middleware';
import { clientIp } from '../upgrade/client-ip';
import { refuseUpgrade } from '../upgrade/upgrade-refusal';
import { UpgradeHandler } from '../upgrade/upgrade.handler';
import { RealtimeServer } from '../server/realtime.server';
import type { ProtocolEndpoint } from './protocol-endpoint';

/** Who a connection of another protocol is, in the core: its clientId and claims. */
export interface ProtocolIdentity {
  clientId: string;
  claims?: Record<string, unknown>;
}

/**
 * What a module serving another wire protocol on the core's services needs of the core: its upgrades on
 * the same HTTP server, the drain and shutdown state, and connections that are the core's own (registry,
 * limits, channels, presence, engines, release on close), differing only in their outbound translator.
 * The core's upgrade middleware (authentication, per-IP limits, the application's) is the native
 * protocol's: such an endpoint does its own checks, but asks the core's origin policy (`originRefusal`), so
 * `origins` guards every endpoint against cross-site WebSocket hijacking alike.
 */
@Injectable()
export class ProtocolEndpoints {
  constructor(
    @Inject(REALTIME_OPTIONS) private readonly options: ResolvedRealtimeOptions,
    private readonly server: RealtimeServer,
    private readonly upgrades: UpgradeHandler,
    private readonly lifecycle: ConnectionLifecycle,
    private readonly registry: ConnectionRegistry,
    private readonly origins: OriginMiddleware,
  ) {}

  /** Why the core's `origins` option refuses this upgrade's browser; undefined when it lets it in. */
  originRefusal(request: IncomingMessage): string | undefined {
    const origin = request.headers.origin;
    return this.origins.refusal(Array.isArray(origin) ? origin[0] : origin, request.headers.host);
  }

  /** Answers an upgrade with an HTTP error (403, 503…) instead of a WebSocket. */
  refuseUpgrade(socket: Duplex, status: number, message: string): void {
    refuseUpgrade(socket, status, message);
  }

  /** Takes, from now on, the upgrades `endpoint.matches`. */
  register(endpoint: ProtocolEndpoint): void {
    this.server.addEndpoint(endpoint);
  }

  /** Whether upgrades are taken: neither a drain nor the shutdown has started. */
  get accepting(): boolean {
    return this.upgrades.accepting;
  }

  /** Whether the core's `limits.maxConnections` is reached on this node. */
  get full(): boolean {
    const max = this.options.limits.maxConnections;
    return max > 0 && this.registry.size >= max;
  }

  /** The client's address, as the core reads it (`limits.trustProxy`). */
  clientIp(request: IncomingMessage): string {
    const { trustProxy, proxyHeader } = this.options.limits;
    return clientIp(request, trustProxy, proxyHeader);
  }

  /** Opens a core connection over an accepted socket; its native frames go through `translator`. */
  open(socket: WebSocket, identity: ProtocolIdentity, ip: string, translator: OutboundTranslator): TranslatedConnection {
    return this.lifecycle.open(socket, { clientId: identity.clientId, claims: identity.claims ?? {} }, ip, translator) as TranslatedConnection;
  }

  /** Closes a connection with a code (translated) and releases it at once; recorded in the audit trail. */
  kick(connection: TranslatedConnection, code: number, reason: string): void {
    this.lifecycle.kick(connection, code, reason);
  }
}
