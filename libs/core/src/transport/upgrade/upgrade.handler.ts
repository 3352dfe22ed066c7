import { Inject, Injectable } from '@nestjs/common';
import type { IncomingMessage } from 'http';
import { clientIp } from './client-ip';
import { MiddlewarePipeline } from '../../pipeline/middleware/middleware.pipeline';
import { UpgradeContext, UpgradeRejection } from './upgrade-context';
import type { ResolvedRealtimeOptions } from '../../options/realtime-options.resolver';
import { REALTIME_OPTIONS } from '../../realtime.constants';

export { UpgradeRejection };

/** Decides, before the handshake, whether an upgrade is accepted and who it is: the middleware does the checking. */
@Injectable()
export class UpgradeHandler {
  private draining = false;

  constructor(
    @Inject(REALTIME_OPTIONS) private readonly options: ResolvedRealtimeOptions,
    private readonly pipeline: MiddlewarePipeline,
  ) {}

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

  context(request: IncomingMessage): UpgradeContext {
    return new UpgradeContext(request, clientIp(request, this.options.limits.trustProxy));
  }

  /** Runs the upgrade middleware within `limits.handshakeTimeout`; rejects with an `UpgradeRejection` when refused. */
  async accept(context: UpgradeContext): Promise<void> {
    if (this.draining) throw new UpgradeRejection(503, 'The server is shutting down; reconnect later.');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(
        () => reject(new UpgradeRejection(503, 'The server took too long to accept the connection; try again later.')),
        this.options.limits.handshakeTimeout,
      );
    });
    try {
      await Promise.race([this.pipeline.upgrade(context), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
