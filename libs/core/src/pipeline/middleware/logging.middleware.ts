import { Inject, Injectable } from '@nestjs/common';
import type { RealtimeConnection } from '../../services/connection/realtime-connection';
import { RealtimeLogger } from '../../logging/realtime.logger';
import type { ResolvedRealtimeOptions } from '../../options/realtime-options.resolver';
import { REALTIME_OPTIONS } from '../../realtime.constants';
import type { InboundFrame } from './inbound-frame';
import type { BuiltInMiddleware } from './realtime-middleware.interface';
import type { UpgradeContext, UpgradeRejection } from '../../transport/upgrade/upgrade-context';

const MAX_LOGGED_ORIGIN = 200;

/**
 * Structured (JSON) log lines through the module's logger: one per connection when it closes and one
 * per refused upgrade at `log` level; one per frame at `debug` level.
 */
@Injectable()
export class LoggingMiddleware implements BuiltInMiddleware {
  readonly enabled: boolean;
  /** Present only when `debug` is on, so that frames pay nothing for it otherwise. */
  readonly frame?: (context: InboundFrame, next: () => unknown) => unknown;
  private readonly logger: RealtimeLogger;
  private readonly origins = new WeakMap<RealtimeConnection, string>();

  constructor(@Inject(REALTIME_OPTIONS) options: ResolvedRealtimeOptions) {
    this.logger = new RealtimeLogger('RealtimeAccess', options.logLevels);
    this.enabled = this.logger.isEnabled('log') || this.logger.isEnabled('debug');
    if (this.logger.isEnabled('debug')) this.frame = (context, next) => this.logFrame(context, next);
  }

  refused(context: UpgradeContext, rejection: UpgradeRejection): void {
    this.logger.log(
      JSON.stringify({
        msg: 'upgrade refused',
        status: rejection.status,
        reason: rejection.message,
        ip: context.ip,
        transport: context.transport,
        origin: clip(context.origin),
      }),
    );
  }

  opened(connection: RealtimeConnection, context: UpgradeContext): void {
    const origin = clip(context.origin);
    if (origin !== undefined) this.origins.set(connection, origin);
    this.logger.debug(
      JSON.stringify({ msg: 'connection opened', connectionId: connection.id, clientId: connection.clientId, ip: connection.ip, transport: connection.transport, origin }),
    );
  }

  closed(connection: RealtimeConnection, code: number): void {
    this.logger.log(
      JSON.stringify({
        msg: 'connection closed',
        connectionId: connection.id,
        clientId: connection.clientId,
        ip: connection.ip,
        transport: connection.transport,
        origin: this.origins.get(connection),
        code,
        durationMs: Date.now() - connection.connectedAt,
        framesIn: connection.framesIn,
        bytesIn: connection.bytesIn,
        framesOut: connection.framesOut,
        bytesOut: connection.bytesOut,
      }),
    );
  }

  private logFrame(context: InboundFrame, next: () => unknown): unknown {
    const result = next();
    this.logger.debug(
      JSON.stringify({
        msg: 'frame',
        connectionId: context.connection.id,
        event: context.event,
        ref: context.ref,
        bytes: context.bytes,
        refused: context.refusal?.code ?? context.unreadable?.code,
      }),
    );
    return result;
  }
}

function clip(origin: string | undefined): string | undefined {
  return origin === undefined || origin.length <= MAX_LOGGED_ORIGIN ? origin : `${origin.slice(0, MAX_LOGGED_ORIGIN)}…`;
}
