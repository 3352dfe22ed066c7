import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { RealtimeEngine } from '../../engine/realtime-engine.interface';
import { RealtimeLogger } from '../../logging/realtime.logger';
import type { ResolvedRealtimeOptions } from '../../options/realtime-options.resolver';
import { REALTIME_ENGINE, REALTIME_OPTIONS } from '../../realtime.constants';

/**
 * Removes the shared-state keys whose `ttl` ran out, every `sharedState.expiryInterval` ms: the engine
 * tells the members (a `state:diff` with `expired`). A sweep still running skips the next tick. The
 * timer does not keep the process alive, and stops with the module.
 */
@Injectable()
export class StateExpirySweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private timer?: NodeJS.Timeout;
  private sweeping = false;
  private readonly logger: RealtimeLogger;

  constructor(
    @Inject(REALTIME_OPTIONS) private readonly options: ResolvedRealtimeOptions,
    @Inject(REALTIME_ENGINE) private readonly engine: RealtimeEngine,
  ) {
    this.logger = new RealtimeLogger('RealtimeState', options.logLevels);
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep(Date.now()), this.options.sharedState.expiryInterval);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One sweep; resolves when the engine is done (a failure is logged, the next tick tries again). */
  async sweep(now: number): Promise<void> {
    if (this.sweeping) return;
    this.sweeping = true;
    try {
      await this.engine.state.expire(now);
    } catch (error) {
      this.logger.warn(`Could not remove the expired shared-state keys; the next sweep tries again: ${String(error)}`);
    } finally {
      this.sweeping = false;
    }
  }
}
