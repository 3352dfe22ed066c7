import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { RealtimeHealth, RealtimeHealthStatus } from './realtime-health';

/**
 * A `@nestjs/terminus` indicator of this node: list it in the providers of the module of your health
 * controller (which imports `TerminusModule`), and call it in a `HealthCheckService.check`:
 *
 * ```ts
 * @Get('health') @HealthCheck()
 * check() { return this.health.check([() => this.realtime.isHealthy('realtime')]); }
 * ```
 *
 * Each result carries the status (`engineReachable`, `accepting`, `draining`, `connections`). It finds
 * `RealtimeModule`'s services wherever the module is imported.
 */
@Injectable()
export class RealtimeHealthIndicator {
  private source?: RealtimeHealth;

  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly moduleRef: ModuleRef,
  ) {}

  /** Up when the engine is reachable and the node accepts connections; down otherwise, and from the start of a drain. */
  isHealthy<const Key extends string>(key: Key): HealthIndicatorResult<Key> {
    const status = this.health.status();
    return this.result(key, this.health.isHealthy(status), status);
  }

  /** Readiness: up while the node accepts connections; down from the start of a drain (the engine does not count). */
  isReady<const Key extends string>(key: Key): HealthIndicatorResult<Key> {
    const status = this.health.status();
    return this.result(key, this.health.isReady(status), status);
  }

  private result<const Key extends string>(key: Key, up: boolean, status: RealtimeHealthStatus): HealthIndicatorResult<Key> {
    const indicator = this.indicators.check(key);
    return up ? indicator.up({ ...status }) : indicator.down({ ...status });
  }

  private get health(): RealtimeHealth {
    this.source ??= this.moduleRef.get(RealtimeHealth, { strict: false });
    return this.source;
  }
}
