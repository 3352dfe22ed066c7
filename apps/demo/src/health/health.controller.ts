import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { RealtimeHealthIndicator } from '@nest-realtime/core/health';

/**
 * `GET /health`: 200 while the node is healthy (Redis reachable when there is one, connections taken),
 * 503 when it is not or once it drains (SIGTERM). `GET /health/ready`: the readiness alone, down from the
 * start of a drain and not with Redis (every node would go out of rotation at once).
 */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly realtime: RealtimeHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([() => this.realtime.isHealthy('realtime')]);
  }

  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([() => this.realtime.isReady('realtime')]);
  }
}
