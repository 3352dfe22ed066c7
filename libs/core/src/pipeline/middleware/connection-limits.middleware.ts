import { Inject, Injectable } from '@nestjs/common';
import { RealtimeLogger } from '../../logging/realtime.logger';
import { LIKELY_PROXY } from '../../realtime.messages';
import { ConnectionRegistry } from '../../services/connection/connection.registry';
import type { RealtimeConnection } from '../../services/connection/realtime-connection';
import type { BuiltInMiddleware } from './realtime-middleware.interface';
import type { UpgradeContext } from '../../transport/upgrade/upgrade-context';
import type { ResolvedRealtimeOptions } from '../../options/realtime-options.resolver';
import { REALTIME_OPTIONS } from '../../realtime.constants';

/** More connections than this from one address, with no trusted proxy, look like a proxy. */
export const LIKELY_PROXY_CONNECTIONS = 100;
/** The warning about one address is repeated at most this often. */
export const LIKELY_PROXY_WARNING_INTERVAL = 10 * 60_000;

function decrement(counts: Map<string, number>, key: string): void {
  const count = (counts.get(key) ?? 0) - 1;
  if (count > 0) counts.set(key, count);
  else counts.delete(key);
}

/**
 * Caps connections in total, per IP address (both checked before authentication, which may be costly)
 * and per clientId (once it is known): over a cap the upgrade gets 429. Upgrades in progress count,
 * so that a burst of them cannot slip past a cap together. Without trusted proxies, warns about an
 * address holding so many connections that it is likely a proxy.
 */
@Injectable()
export class ConnectionLimitsMiddleware implements BuiltInMiddleware {
  readonly enabled: boolean;
  private total = 0;
  private readonly byIp = new Map<string, number>();
  /** Upgrades of a clientId that passed the check and have no connection yet. */
  private readonly pendingByClient = new Map<string, number>();
  private readonly counted = new WeakSet<RealtimeConnection>();
  private readonly maxConnections: number;
  private readonly maxPerIp: number;
  private readonly maxPerClient: number;
  private readonly logger: RealtimeLogger;
  /** Whether addresses are watched for proxies (no trusted proxies, and warnings are logged). */
  private readonly watchForProxies: boolean;
  /** When each address that looked like a proxy was last warned about. */
  private readonly warnedAt = new Map<string, number>();

  constructor(
    @Inject(REALTIME_OPTIONS) options: ResolvedRealtimeOptions,
    private readonly registry: ConnectionRegistry,
  ) {
    const { maxConnections, maxConnectionsPerIp, maxConnectionsPerClient, trustProxy } = options.limits;
    this.maxConnections = maxConnections;
    this.maxPerIp = maxConnectionsPerIp;
    this.maxPerClient = maxConnectionsPerClient;
    this.logger = new RealtimeLogger('RealtimeLimits', options.logLevels);
    this.watchForProxies = trustProxy === false && this.logger.isEnabled('warn');
    this.enabled = maxConnections > 0 || maxConnectionsPerIp > 0 || maxConnectionsPerClient > 0 || this.watchForProxies;
  }

  async upgrade(context: UpgradeContext, next: () => Promise<void>): Promise<void> {
    if (this.maxConnections > 0 && this.total >= this.maxConnections) {
      context.refuse(429, 'The server has as many connections as it takes; try again later.');
    }
    const { ip } = context;
    if (this.maxPerIp > 0 && (this.byIp.get(ip) ?? 0) >= this.maxPerIp) {
      context.refuse(429, `Too many connections from this address (at most ${this.maxPerIp}); close some and try again.`);
    }
    this.total++;
    const fromIp = (this.byIp.get(ip) ?? 0) + 1;
    this.byIp.set(ip, fromIp);
    context.onAbandoned(() => this.release(ip));
    if (this.watchForProxies && fromIp > LIKELY_PROXY_CONNECTIONS) this.warnAboutProxy(context, fromIp);
    await next();
    const clientId = context.identity?.clientId;
    if (clientId === undefined || this.maxPerClient === 0) return;
    const pending = this.pendingByClient.get(clientId) ?? 0;
    if (this.registry.countOf(clientId) + pending >= this.maxPerClient) {
      context.refuse(429, `Too many connections for this user (at most ${this.maxPerClient}); close some and try again.`);
    }
    this.pendingByClient.set(clientId, pending + 1);
    context.onAbandoned(() => decrement(this.pendingByClient, clientId));
  }

  opened(connection: RealtimeConnection, context: UpgradeContext): void {
    this.counted.add(connection);
    if (context.identity && this.maxPerClient > 0) decrement(this.pendingByClient, context.identity.clientId);
  }

  closed(connection: RealtimeConnection): void {
    if (!this.counted.has(connection)) return;
    this.counted.delete(connection);
    this.release(connection.ip);
  }

  private warnAboutProxy({ ip, request }: UpgradeContext, count: number): void {
    const now = Date.now();
    const last = this.warnedAt.get(ip);
    if (last !== undefined && now - last < LIKELY_PROXY_WARNING_INTERVAL) return;
    for (const [address, at] of this.warnedAt) {
      if (now - at >= LIKELY_PROXY_WARNING_INTERVAL) this.warnedAt.delete(address);
    }
    this.warnedAt.set(ip, now);
    const forwarded = request.headers['x-forwarded-for'] !== undefined || request.headers.forwarded !== undefined;
    this.logger.warn(LIKELY_PROXY(ip, count, forwarded));
  }

  private release(ip: string): void {
    this.total--;
    decrement(this.byIp, ip);
  }
}
