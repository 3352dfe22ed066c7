import { Inject, Injectable, OnModuleInit, Type } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { RealtimeConnection } from '../../services/connection/realtime-connection';
import { ConnectionLimitsMiddleware } from './connection-limits.middleware';
import { RealtimeLogger } from '../../logging/realtime.logger';
import type { ResolvedRealtimeOptions } from '../../options/realtime-options.resolver';
import { REALTIME_OPTIONS } from '../../realtime.constants';
import { AuthenticationMiddleware } from './authentication.middleware';
import type { InboundFrame } from './inbound-frame';
import { LoggingMiddleware } from './logging.middleware';
import { MetricsMiddleware } from './metrics.middleware';
import { OriginMiddleware } from './origin.middleware';
import { RateLimitMiddleware } from './rate-limit.middleware';
import type { BuiltInMiddleware, RealtimeMiddleware } from './realtime-middleware.interface';
import { UpgradeContext, UpgradeRejection } from '../../transport/upgrade/upgrade-context';

type Named = RealtimeMiddleware & { constructor: Function };

function nameOf(middleware: RealtimeMiddleware): string {
  const type = (middleware as Named).constructor;
  return type && type !== Object ? type.name : 'a middleware object';
}

/**
 * The ordered middleware around each upgrade and each inbound frame: the library's own first
 * (metrics, logging, origin, connection limits, authentication, rate limit), then the application's.
 */
@Injectable()
export class MiddlewarePipeline implements OnModuleInit {
  private upgrades: RealtimeMiddleware[] = [];
  private frames: RealtimeMiddleware[] = [];
  private refusers: RealtimeMiddleware[] = [];
  private openers: RealtimeMiddleware[] = [];
  private closers: RealtimeMiddleware[] = [];
  private readonly logger: RealtimeLogger;
  private readonly builtIns: BuiltInMiddleware[];

  constructor(
    @Inject(REALTIME_OPTIONS) private readonly options: ResolvedRealtimeOptions,
    private readonly moduleRef: ModuleRef,
    metrics: MetricsMiddleware,
    logging: LoggingMiddleware,
    origin: OriginMiddleware,
    limits: ConnectionLimitsMiddleware,
    authentication: AuthenticationMiddleware,
    rateLimit: RateLimitMiddleware,
  ) {
    this.logger = new RealtimeLogger('RealtimeMiddleware', options.logLevels);
    this.builtIns = [metrics, logging, origin, limits, authentication, rateLimit];
    this.use(this.builtIns.filter((middleware) => middleware.enabled));
  }

  async onModuleInit(): Promise<void> {
    const own = await Promise.all(this.options.middleware.map((entry, index) => this.instantiate(entry, index)));
    this.use([...this.builtIns.filter((middleware) => middleware.enabled), ...own]);
  }

  get hasFrameMiddleware(): boolean {
    return this.frames.length > 0;
  }

  /** Runs the upgrade middleware; rejects with an `UpgradeRejection` when the upgrade is refused. */
  upgrade(context: UpgradeContext): Promise<void> {
    return this.runUpgrade(0, context);
  }

  /**
   * Runs the frame middleware, then `terminal` unless one of them stopped the frame. Returns what the
   * chain returns: a promise only when a middleware or the handler is asynchronous.
   */
  frame(context: InboundFrame, terminal: (context: InboundFrame) => unknown): unknown {
    return this.runFrame(0, context, terminal);
  }

  refused(context: UpgradeContext, rejection: UpgradeRejection): void {
    for (const middleware of this.refusers) {
      try {
        middleware.refused!(context, rejection);
      } catch (error) {
        this.logger.error(`${nameOf(middleware)}.refused failed`, error);
      }
    }
  }

  opened(connection: RealtimeConnection, context: UpgradeContext): void {
    for (const middleware of this.openers) {
      try {
        middleware.opened!(connection, context);
      } catch (error) {
        this.logger.error(`${nameOf(middleware)}.opened failed on ${connection.id}`, error);
      }
    }
  }

  closed(connection: RealtimeConnection, code: number): void {
    for (const middleware of this.closers) {
      try {
        middleware.closed!(connection, code);
      } catch (error) {
        this.logger.error(`${nameOf(middleware)}.closed failed on ${connection.id}`, error);
      }
    }
  }

  private use(middleware: RealtimeMiddleware[]): void {
    this.upgrades = middleware.filter((each) => typeof each.upgrade === 'function');
    this.frames = middleware.filter((each) => typeof each.frame === 'function');
    this.refusers = middleware.filter((each) => typeof each.refused === 'function');
    this.openers = middleware.filter((each) => typeof each.opened === 'function');
    this.closers = middleware.filter((each) => typeof each.closed === 'function');
  }

  private async runUpgrade(index: number, context: UpgradeContext): Promise<void> {
    const middleware = this.upgrades[index];
    if (!middleware) return;
    let passed = false;
    await middleware.upgrade!(context, () => {
      if (passed) return Promise.reject(new Error(`${nameOf(middleware)} called next() twice.`));
      passed = true;
      return this.runUpgrade(index + 1, context);
    });
    // A middleware that neither passes the upgrade on nor refuses it must not let it through.
    if (!passed) throw new UpgradeRejection(403, 'The connection was refused.');
  }

  private runFrame(index: number, context: InboundFrame, terminal: (context: InboundFrame) => unknown): unknown {
    if (index === this.frames.length) return terminal(context);
    return this.frames[index].frame!(context, () => (context.refusal ? undefined : this.runFrame(index + 1, context, terminal)));
  }

  /** A class is taken from the application's providers when it is one, or created with its dependencies. */
  private async instantiate(entry: RealtimeMiddleware | Type<RealtimeMiddleware>, index: number): Promise<RealtimeMiddleware> {
    if (typeof entry !== 'function') return entry;
    let instance: RealtimeMiddleware;
    try {
      instance = this.moduleRef.get(entry, { strict: false });
    } catch {
      instance = await this.moduleRef.create(entry);
    }
    if (!['upgrade', 'refused', 'opened', 'frame', 'closed'].some((hook) => typeof (instance as Record<string, unknown>)[hook] === 'function')) {
      throw new Error(
        `RealtimeModule: option "middleware[${index}]" (${entry.name}) has none of the hooks upgrade, refused, opened, frame, closed; add one or remove it from the list.`,
      );
    }
    return instance;
  }
}
