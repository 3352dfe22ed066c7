import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { ConnectionLifecycle } from '../../services/connection/connection.lifecycle';
import { ConnectionRegistry } from '../../services/connection/connection.registry';
import type { ResolvedRealtimeOptions } from '../../options/realtime-options.resolver';
import { CloseCode } from '@nest-realtime/protocol';
import { REALTIME_OPTIONS } from '../../realtime.constants';

/**
 * Pings quiet connections every `heartbeat.interval` and closes with 4000 those silent (no pong, no
 * frame) for longer than `heartbeat.timeout`.
 */
@Injectable()
export class HeartbeatScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(REALTIME_OPTIONS) private readonly options: ResolvedRealtimeOptions,
    private readonly registry: ConnectionRegistry,
    private readonly lifecycle: ConnectionLifecycle,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.beat(Date.now()), this.options.heartbeat.interval);
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** One round: close the silent, ping the quiet. */
  beat(now: number): void {
    const { interval, timeout } = this.options.heartbeat;
    for (const connection of this.registry.all()) {
      if (connection.isClosing) continue;
      const silentFor = now - connection.lastSeenAt;
      if (silentFor > timeout) this.lifecycle.close(connection, CloseCode.HeartbeatTimeout, 'heartbeat timeout');
      else if (silentFor >= interval / 2) connection.socket.ping();
    }
  }
}
