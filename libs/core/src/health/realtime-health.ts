import { Inject, Injectable } from '@nestjs/common';
import type { RealtimeEngine } from '../engine/realtime-engine.interface';
import { REALTIME_ENGINE } from '../realtime.constants';
import { ConnectionService } from '../services/connection/connection.service';
import { RealtimeServer } from '../transport/server/realtime.server';

/** Where this node stands, for a health check. */
export interface RealtimeHealthStatus {
  /** Whether the engine's shared store answers (Redis reachable); always true for the in-memory engine. */
  engineReachable: boolean;
  /** Whether new connections are taken: the HTTP server listens, and neither a drain nor the shutdown has started. */
  accepting: boolean;
  /** Whether a drain started (`ConnectionService.drain()`, or the shutdown's). */
  draining: boolean;
  /** Open connections on this node. */
  connections: number;
}

/**
 * This node's health, without `@nestjs/terminus` (whose indicator, `RealtimeHealthIndicator` of
 * `@nest-realtime/core/health`, reads it): healthy when the engine is reachable and the node accepts
 * connections; ready (to be sent new clients) when it accepts them.
 */
@Injectable()
export class RealtimeHealth {
  constructor(
    @Inject(REALTIME_ENGINE) private readonly engine: RealtimeEngine,
    private readonly server: RealtimeServer,
    private readonly connections: ConnectionService,
  ) {}

  status(): RealtimeHealthStatus {
    return {
      engineReachable: this.engine.status?.().reachable ?? true,
      accepting: this.server.accepting,
      draining: this.connections.draining,
      connections: this.connections.count(),
    };
  }

  /** The engine reachable, connections accepted (so not draining): false from the start of a drain. */
  isHealthy(status = this.status()): boolean {
    return status.engineReachable && status.accepting && !status.draining;
  }

  /**
   * Whether a load balancer should send this node new clients: it accepts connections (false from the start
   * of a drain). The engine is left out: a shared store out of reach would take every node out of
   * rotation at once, while each one goes on serving its own clients.
   */
  isReady(status = this.status()): boolean {
    return status.accepting && !status.draining;
  }
}
