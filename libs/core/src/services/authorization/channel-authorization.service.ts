import { Inject, Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { ChannelAuthorizeFn, compilePattern, ResolvedChannelOptions } from '../channel/channel.options';
import type { RealtimeConnection } from '../connection/realtime-connection';
import { RealtimeLogger } from '../../logging/realtime.logger';
import type { ResolvedRealtimeOptions } from '../../options/realtime-options.resolver';
import { RealtimeException } from '../../errors/realtime.exception';
import { REALTIME_OPTIONS } from '../../realtime.constants';

interface NamedAuthorizer {
  /** For logs: `Class.method`, or the rule's pattern. */
  name: string;
  authorize: ChannelAuthorizeFn;
}

interface PatternAuthorizer extends NamedAuthorizer {
  matcher: RegExp;
}

/**
 * Decides joins of private channels. Every authorizer that applies must say yes: the channel rule's
 * `authorize` and each `@ChannelAuthorizer` whose pattern matches. A private channel that no authorizer
 * applies to refuses every join. Each decision goes to the audit trail.
 */
@Injectable()
export class ChannelAuthorization {
  private readonly authorizers: PatternAuthorizer[] = [];
  private readonly logger: RealtimeLogger;

  constructor(
    @Inject(REALTIME_OPTIONS) options: ResolvedRealtimeOptions,
    private readonly audit: AuditService,
  ) {
    this.logger = new RealtimeLogger('RealtimeAuthorization', options.logLevels);
  }

  /** Adds an authorizer for the channels matching `pattern`; they become private. */
  register(pattern: string, name: string, authorize: ChannelAuthorizeFn): void {
    this.authorizers.push({ name, authorize, matcher: compilePattern(pattern) });
  }

  isPrivate(channel: string, options: ResolvedChannelOptions): boolean {
    return options.private || this.authorizers.some((authorizer) => authorizer.matcher.test(channel));
  }

  /** Resolves when the connection may join; throws `forbidden` (or an authorizer's own RealtimeException) when not. */
  async check(connection: RealtimeConnection, channel: string, meta: Record<string, unknown>, options: ResolvedChannelOptions): Promise<void> {
    const applying: NamedAuthorizer[] = this.authorizers.filter((authorizer) => authorizer.matcher.test(channel));
    if (!options.private && applying.length === 0) return;
    if (options.authorize) applying.unshift({ name: `the rule of "${channel}"`, authorize: options.authorize });
    if (applying.length === 0) {
      this.logger.warn(`"${channel}" is private but has no authorizer: every join is refused. Add one with @ChannelAuthorizer or the rule's authorize.`);
      this.refuse(connection, channel, 'no authorizer');
    }
    const request = { connectionId: connection.id, clientId: connection.clientId, claims: connection.claims, channel, meta };
    for (const { name, authorize } of applying) {
      let allowed: unknown;
      try {
        allowed = await authorize(request);
      } catch (error) {
        if (error instanceof RealtimeException) {
          this.decided(connection, channel, 'refused', `${name}: ${error.message}`);
          throw error;
        }
        this.logger.error(`The authorizer ${name} failed on "${channel}"; the join was refused`, error);
        this.refuse(connection, channel, `${name} failed`);
      }
      if (allowed !== true) this.refuse(connection, channel, `refused by ${name}`);
    }
    this.decided(connection, channel, 'allowed');
  }

  private refuse(connection: RealtimeConnection, channel: string, reason: string): never {
    this.decided(connection, channel, 'refused', reason);
    throw new RealtimeException('forbidden', `You may not join "${channel}".`);
  }

  private decided(connection: RealtimeConnection, channel: string, outcome: 'allowed' | 'refused', reason?: string): void {
    this.audit.record({
      type: 'channel.authorization',
      connectionId: connection.id,
      clientId: connection.clientId,
      ip: connection.ip,
      channel,
      outcome,
      ...(reason !== undefined && { reason }),
    });
  }
}
