import { Injectable } from '@nestjs/common';
import type { RealtimeConnection } from '../../services/connection/realtime-connection';
import type { BuiltInMiddleware } from './realtime-middleware.interface';
import type { InboundFrame } from './inbound-frame';
import type { UpgradeRejection } from '../../transport/upgrade/upgrade-context';

/** Counters since the application started. */
export interface RealtimeMetricsSnapshot {
  /** Connections open now. */
  connectionsOpen: number;
  connectionsOpened: number;
  connectionsClosed: number;
  /** Refused upgrades by HTTP status. */
  upgradesRefused: Record<string, number>;
  /** Inbound frames, readable or not, and their bytes. */
  framesIn: number;
  bytesIn: number;
  /** Inbound frames answered with an error before any handler: `bad_frame`, `rate_limited`, or a middleware's code. */
  framesRefused: Record<string, number>;
  /** Closed connections by close code. */
  closes: Record<string, number>;
}

function count(counters: Record<string, number>, key: string | number): void {
  counters[key] = (counters[key] ?? 0) + 1;
}

/**
 * Counts upgrades, connections, frames and refusals, for a metrics exporter to read with `snapshot()`.
 * Plain number increments: cheap enough to stay on.
 */
@Injectable()
export class MetricsMiddleware implements BuiltInMiddleware {
  readonly enabled = true;
  private open = 0;
  private opened_ = 0;
  private closed_ = 0;
  private framesIn = 0;
  private bytesIn = 0;
  private readonly upgradesRefused: Record<string, number> = {};
  private readonly framesRefused: Record<string, number> = {};
  private readonly closes: Record<string, number> = {};

  refused(_context: unknown, rejection: UpgradeRejection): void {
    count(this.upgradesRefused, rejection.status);
  }

  opened(): void {
    this.open++;
    this.opened_++;
  }

  frame(context: InboundFrame, next: () => unknown): unknown {
    this.framesIn++;
    this.bytesIn += context.bytes;
    const result = next();
    if (context.refusal) count(this.framesRefused, context.refusal.code);
    else if (context.unreadable) count(this.framesRefused, context.unreadable.code);
    return result;
  }

  closed(_connection: RealtimeConnection, code: number): void {
    this.open--;
    this.closed_++;
    count(this.closes, code);
  }

  snapshot(): RealtimeMetricsSnapshot {
    return {
      connectionsOpen: this.open,
      connectionsOpened: this.opened_,
      connectionsClosed: this.closed_,
      upgradesRefused: { ...this.upgradesRefused },
      framesIn: this.framesIn,
      bytesIn: this.bytesIn,
      framesRefused: { ...this.framesRefused },
      closes: { ...this.closes },
    };
  }
}
