import { Inject, Injectable } from '@nestjs/common';
import type { ResolvedRealtimeOptions } from '../../options/realtime-options.resolver';
import { REALTIME_OPTIONS } from '../../realtime.constants';
import type { BuiltInMiddleware } from './realtime-middleware.interface';
import { compileOrigins, isSameOrigin, normalizeOrigin } from './origin.matcher';
import type { UpgradeContext } from '../../transport/upgrade/upgrade-context';

/**
 * Lets browsers in from allowed origins only, against cross-site WebSocket hijacking: a page on another
 * site would otherwise connect with its visitor's cookies. A refused origin gets 403.
 */
@Injectable()
export class OriginMiddleware implements BuiltInMiddleware {
  readonly enabled: boolean;
  private readonly allowed: (origin: string) => boolean;
  private readonly sameOrigin: boolean;
  private readonly allowMissing: boolean;

  constructor(@Inject(REALTIME_OPTIONS) options: ResolvedRealtimeOptions) {
    const origins = options.origins || { allow: [], sameOrigin: true, allowMissing: true };
    this.enabled = options.origins !== false;
    this.allowed = compileOrigins(origins.allow);
    this.sameOrigin = origins.sameOrigin;
    this.allowMissing = origins.allowMissing;
  }

  upgrade(context: UpgradeContext, next: () => Promise<void>): Promise<void> {
    const refusal = this.refusal(context.origin, context.request.headers.host);
    if (refusal !== undefined) context.refuse(403, refusal);
    return next();
  }

  /**
   * Why a browser with this Origin header (undefined: none sent) may not connect to a server reached as
   * `host`; undefined when it may, or when origin checks are off. Other protocols' endpoints ask it too.
   */
  refusal(header: string | undefined, host: string | undefined): string | undefined {
    if (!this.enabled) return undefined;
    if (header === undefined) {
      return this.allowMissing ? undefined : 'This server only takes connections from browsers of allowed origins; send an Origin header.';
    }
    const origin = header === 'null' ? 'null' : normalizeOrigin(header);
    if (origin !== undefined && (this.allowed(origin) || (this.sameOrigin && isSameOrigin(origin, host)))) return undefined;
    return 'The origin of this page is not allowed to connect; ask the server to add it to its allowed origins.';
  }
}
