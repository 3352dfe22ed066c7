import { Inject, Injectable } from '@nestjs/common';
import type { IncomingMessage } from 'http';
import { clientIp } from './client-ip';
import { MiddlewarePipeline } from '../../pipeline/middleware/middleware.pipeline';
import { UpgradeContext, UpgradeRejection } from './upgrade-context';
import type { RealtimeTransport } from '../../services/connection/realtime-connection';
import type { ResolvedRealtimeOptions } from '../../options/realtime-options.resolver';
import { REALTIME_OPTIONS } from '../../realtime.constants';
import { UPGRADE_REFUSED_DRAINING } from '../../realtime.messages';
import { ConnectionService } from '../../services/connection/connection.service';

export { UpgradeRejection };

/** Decides, before the handshake, whether an upgrade is accepted and who it is: the middleware does the checking. */
@Injectable()
export class UpgradeHandler {
  private shuttingDown = false;

  constructor(
    @Inject(REALTIME_OPTIONS) private readonly options: ResolvedRealtimeOptions,
    private readonly pipeline: MiddlewarePipeline,
    private readonly connections: ConnectionService,
  ) {}

  /** From now on every upgrade gets 503 (the server is shutting down). */
  refuseAll(): void {
    this.shuttingDown = true;
  }

  /** Whether upgrades get past the 503 of a drain or a shutdown (to the middleware, which may refuse them still). */
  get accepting(): boolean {
    return !this.shuttingDown && !this.connections.draining;
  }

  isOwnPath(request: IncomingMessage): boolean {
    const url = request.url ?? '/';
    const end = url.indexOf('?');
    const pathname = end === -1 ? url : url.slice(0, end);
    return pathname === this.options.path || pathname === `${this.options.path}/`;
  }

  context(request: IncomingMessage, transport: RealtimeTransport = 'h1'): UpgradeContext {
    const { trustProxy, proxyHeader } = this.options.limits;
    return new UpgradeContext(request, clientIp(request, trustProxy, proxyHeader), transport);
  }

  /** Runs the upgrade middleware within `limits.handshakeTimeout`; rejects with an `UpgradeRejection` when refused. */
  async accept(context: UpgradeContext): Promise<void> {
    this.refuseUnlessAccepting();
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
    // A drain or the shutdown may have started while the middleware ran.
    this.refuseUnlessAccepting();
  }

  private refuseUnlessAccepting(): void {
    if (this.shuttingDown) throw new UpgradeRejection(503, 'The server is shutting down; reconnect later.');
    if (this.connections.draining) throw new UpgradeRejection(503, UPGRADE_REFUSED_DRAINING);
  }
}
