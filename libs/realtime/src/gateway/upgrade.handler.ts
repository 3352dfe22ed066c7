import { Inject, Injectable } from '@nestjs/common';
import type { IncomingMessage } from 'http';
import { RealtimeLogger } from '../logging/realtime.logger';
import type { AuthResult } from '../options/realtime-options.interface';
import type { ResolvedRealtimeOptions } from '../options/realtime-options.resolver';
import { REALTIME_OPTIONS } from '../realtime.constants';

/** A refused upgrade: a plain HTTP answer and no WebSocket. */
export class UpgradeRejection extends Error {
  constructor(
    readonly status: 401 | 403 | 429 | 503,
    message: string,
  ) {
    super(message);
  }
}

/** Decides, before the handshake, whether an upgrade is accepted and who it is. */
@Injectable()
export class UpgradeHandler {
  private draining = false;
  private readonly logger: RealtimeLogger;

  constructor(@Inject(REALTIME_OPTIONS) private readonly options: ResolvedRealtimeOptions) {
    this.logger = new RealtimeLogger('RealtimeUpgrade', options.logLevels);
  }

  /** From now on every upgrade gets 503 (the server is shutting down). */
  drain(): void {
    this.draining = true;
  }

  isOwnPath(request: IncomingMessage): boolean {
    const url = request.url ?? '/';
    const end = url.indexOf('?');
    const pathname = end === -1 ? url : url.slice(0, end);
    return pathname === this.options.path || pathname === `${this.options.path}/`;
  }

  /** Resolves to the identity, or to null for an anonymous connection (no `authenticate` option). */
  async accept(request: IncomingMessage): Promise<AuthResult | null> {
    if (this.draining) throw new UpgradeRejection(503, 'The server is shutting down; reconnect later.');
    const authenticate = this.options.authenticate;
    if (!authenticate) return null;
    let identity: AuthResult | null | undefined | false;
    try {
      identity = await authenticate(request);
    } catch (error) {
      this.logger.debug(`Upgrade refused by authenticate: ${error instanceof Error ? error.message : String(error)}`);
      throw new UpgradeRejection(401, 'Missing or invalid credentials.');
    }
    if (!identity) throw new UpgradeRejection(401, 'Missing or invalid credentials.');
    if (typeof identity.clientId !== 'string' || identity.clientId.length === 0) {
      this.logger.error('authenticate() returned no clientId; the upgrade was refused');
      throw new UpgradeRejection(401, 'Missing or invalid credentials.');
    }
    return identity;
  }
}
