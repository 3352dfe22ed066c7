import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { ConnectionLifecycle } from '../connection/connection.lifecycle';
import { ConnectionService } from '../connection/connection.service';
import type { RealtimeConnection } from '../connection/realtime-connection';
import { RealtimeLogger } from '../../logging/realtime.logger';
import type { AuthResult } from '../../options/realtime-options.interface';
import type { ResolvedRealtimeOptions } from '../../options/realtime-options.resolver';
import { CloseCode } from '@nest-realtime/protocol';
import { RealtimeException } from '../../errors/realtime.exception';
import { REALTIME_OPTIONS } from '../../realtime.constants';

/** setTimeout takes at most 2^31 - 1 ms (24.8 days); longer waits are taken in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Why an `expiresAt` is unusable, or undefined when it is fine (absent, or a finite number). */
export function badExpiry(identity: AuthResult): string | undefined {
  const { expiresAt } = identity;
  if (expiresAt === undefined) return undefined;
  return typeof expiresAt === 'number' && Number.isFinite(expiresAt) ? undefined : `expiresAt must be epoch milliseconds; got ${String(expiresAt)}`;
}

/**
 * Keeps each connection's credentials valid: closes the connection with 1008 when they expire, and
 * renews them from the token of a `connection:reauth`.
 */
@Injectable()
export class CredentialsService implements OnModuleDestroy {
  private readonly timers = new Map<RealtimeConnection, NodeJS.Timeout>();
  private readonly logger: RealtimeLogger;

  constructor(
    @Inject(REALTIME_OPTIONS) private readonly options: ResolvedRealtimeOptions,
    private readonly lifecycle: ConnectionLifecycle,
    private readonly connections: ConnectionService,
    private readonly audit: AuditService,
  ) {
    this.logger = new RealtimeLogger('RealtimeCredentials', options.logLevels);
    // The lifecycle's one 'close' listener per socket, rather than one more for each watched connection.
    lifecycle.onSocketClose((connection) => this.forget(connection));
  }

  /** Closes the connection with 1008 at its `expiresAt`, if it has one. */
  watch(connection: RealtimeConnection): void {
    this.schedule(connection);
  }

  /** Checks a token of the same clientId and moves the connection's expiry to the token's. */
  async renew(connection: RealtimeConnection, token: string): Promise<{ expiresAt: number | null }> {
    const reauthenticate = this.options.reauthenticate;
    if (!reauthenticate) {
      throw new RealtimeException('unauthorized', 'This server does not renew credentials: reconnect with a new token.');
    }
    let identity: AuthResult | null | undefined | false;
    try {
      identity = await reauthenticate(token, this.connections.get(connection.id)!);
    } catch (error) {
      this.logger.debug(`connection:reauth refused by reauthenticate on ${connection.id}: ${error instanceof Error ? error.message : String(error)}`);
      identity = null;
    }
    if (!identity) throw new RealtimeException('unauthorized', 'The token was refused: get a new one and try again.');
    if (identity.clientId !== connection.clientId) {
      throw new RealtimeException('forbidden', 'The token is for another user than this connection; reconnect with it instead.');
    }
    const bad = badExpiry(identity);
    if (bad) {
      this.logger.error(`reauthenticate() returned a bad expiry (${bad}); connection:reauth was refused`);
      throw new RealtimeException('unauthorized', 'The token was refused: get a new one and try again.');
    }
    if (identity.expiresAt !== undefined && identity.expiresAt <= Date.now()) {
      throw new RealtimeException('unauthorized', 'The token has expired already: get a new one and try again.');
    }
    connection.expiresAt = identity.expiresAt;
    this.schedule(connection);
    this.audit.record({
      type: 'credentials.renewed',
      connectionId: connection.id,
      clientId: connection.clientId,
      ip: connection.ip,
      ...(identity.expiresAt !== undefined && { expiresAt: identity.expiresAt }),
    });
    return { expiresAt: connection.expiresAt ?? null };
  }

  private schedule(connection: RealtimeConnection): void {
    clearTimeout(this.timers.get(connection));
    this.timers.delete(connection);
    if (connection.expiresAt === undefined || connection.isClosing) return;
    const delay = connection.expiresAt - Date.now();
    if (delay <= 0) return this.expire(connection);
    const timer = setTimeout(() => (delay > MAX_TIMER_MS ? this.schedule(connection) : this.expire(connection)), Math.min(delay, MAX_TIMER_MS));
    timer.unref();
    this.timers.set(connection, timer);
  }

  private expire(connection: RealtimeConnection): void {
    this.timers.delete(connection);
    this.lifecycle.kick(connection, CloseCode.PolicyViolation, 'credentials expired');
  }

  private forget(connection: RealtimeConnection): void {
    const timer = this.timers.get(connection);
    if (timer === undefined) return;
    clearTimeout(timer);
    this.timers.delete(connection);
  }

  onModuleDestroy(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}
