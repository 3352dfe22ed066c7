import { Inject, Injectable } from '@nestjs/common';
import { badExpiry, CredentialsService } from '../../services/credentials/credentials.service';
import type { RealtimeConnection } from '../../services/connection/realtime-connection';
import { RealtimeLogger } from '../../logging/realtime.logger';
import type { AuthResult } from '../../options/realtime-options.interface';
import type { ResolvedRealtimeOptions } from '../../options/realtime-options.resolver';
import { REALTIME_OPTIONS } from '../../realtime.constants';
import type { BuiltInMiddleware } from './realtime-middleware.interface';
import type { UpgradeContext } from '../../transport/upgrade/upgrade-context';

const REFUSED = 'Missing or invalid credentials.';

/**
 * Runs the `authenticate` option at the upgrade (refused: 401) and puts the identity on the context;
 * credentials with an `expiresAt` close the connection with 1008 when they expire.
 */
@Injectable()
export class AuthenticationMiddleware implements BuiltInMiddleware {
  readonly enabled: boolean;
  private readonly logger: RealtimeLogger;

  constructor(
    @Inject(REALTIME_OPTIONS) private readonly options: ResolvedRealtimeOptions,
    private readonly credentials: CredentialsService,
  ) {
    this.enabled = options.authenticate !== undefined;
    this.logger = new RealtimeLogger('RealtimeUpgrade', options.logLevels);
  }

  async upgrade(context: UpgradeContext, next: () => Promise<void>): Promise<void> {
    let identity: AuthResult | null | undefined | false;
    try {
      identity = await this.options.authenticate!(context.request);
    } catch (error) {
      this.logger.debug(`Upgrade refused by authenticate: ${error instanceof Error ? error.message : String(error)}`);
      context.refuse(401, REFUSED);
    }
    if (!identity) context.refuse(401, REFUSED);
    if (typeof identity.clientId !== 'string' || identity.clientId.length === 0) {
      this.logger.error('authenticate() returned no clientId; the upgrade was refused');
      context.refuse(401, REFUSED);
    }
    const bad = badExpiry(identity);
    if (bad) {
      this.logger.error(`authenticate() returned a bad expiry (${bad}); the upgrade was refused`);
      context.refuse(401, REFUSED);
    }
    if (identity.expiresAt !== undefined && identity.expiresAt <= Date.now()) {
      context.refuse(401, 'The credentials have expired: get a new token and reconnect.');
    }
    context.identity = identity;
    await next();
  }

  opened(connection: RealtimeConnection): void {
    this.credentials.watch(connection);
  }
}
