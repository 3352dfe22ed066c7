import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { ConnectionLifecycle } from '../../services/connection/connection.lifecycle';
import { ConnectionRegistry } from '../../services/connection/connection.registry';
import type { RealtimeConnection } from '../../services/connection/realtime-connection';
import { RealtimeLogger } from '../../logging/realtime.logger';
import type { ResolvedRealtimeOptions } from '../../options/realtime-options.resolver';
import { CloseCode, ProtocolEvent } from '@nest-realtime/protocol';
import type { HeartbeatSettings } from '@nest-realtime/protocol';
import { REALTIME_OPTIONS } from '../../realtime.constants';
import { HEARTBEAT_RELAXED, HEARTBEAT_STRETCHED } from '../../realtime.messages';
import { EventLoopLagSampler } from './event-loop-lag.sampler';
import { HeartbeatCadence } from './heartbeat.cadence';
import { AdaptiveHeartbeatPolicy } from './heartbeat.policy';

/** The adaptive heartbeat walks the connections in this many slices per interval. */
export const HEARTBEAT_SLICES = 10;

/**
 * Pings quiet connections every `heartbeat.interval` and closes with 4000 those silent (no pong, no
 * frame) for longer than `heartbeat.timeout`. Adaptive (`heartbeat.adaptive`), it walks the connections in
 * `HEARTBEAT_SLICES` slices spread over the interval in force, and before each walk lets the event loop's
 * lag stretch or relax that interval (see `AdaptiveHeartbeatPolicy`), telling every connection.
 */
@Injectable()
export class HeartbeatScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private timer?: NodeJS.Timeout;
  private readonly logger: RealtimeLogger;
  private policy?: AdaptiveHeartbeatPolicy;
  private lag?: EventLoopLagSampler;
  private walk?: { connections: Iterator<RealtimeConnection>; slice: number; size: number; closeAfter: number };
  /** The timeout of the walk before: after the interval relaxes, connections get one walk at the new one. */
  private previousTimeout: number;

  constructor(
    @Inject(REALTIME_OPTIONS) private readonly options: ResolvedRealtimeOptions,
    private readonly registry: ConnectionRegistry,
    private readonly lifecycle: ConnectionLifecycle,
    private readonly cadence: HeartbeatCadence,
  ) {
    this.logger = new RealtimeLogger('RealtimeHeartbeat', options.logLevels);
    this.previousTimeout = options.heartbeat.timeout;
  }

  onApplicationBootstrap(): void {
    const { interval, timeout, adaptive } = this.options.heartbeat;
    if (!adaptive) {
      this.timer = setInterval(() => this.beat(Date.now()), interval);
      return;
    }
    this.policy = new AdaptiveHeartbeatPolicy({ interval, timeout }, adaptive);
    this.lag = new EventLoopLagSampler();
    this.lag.start();
    this.scheduleSlice();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
    clearTimeout(this.timer);
    this.timer = undefined;
    this.lag?.stop();
  }

  /** One round: close the silent, ping the quiet. */
  beat(now: number): void {
    const { interval, timeout } = this.options.heartbeat;
    for (const connection of this.registry.all()) this.visit(connection, now, interval, timeout);
  }

  /** One slice of the adaptive walk; the first of a walk adapts the interval to the lag sampled since the last. */
  private slice(now: number): void {
    if (!this.walk) this.startWalk();
    const walk = this.walk!;
    const last = walk.slice === HEARTBEAT_SLICES - 1;
    const { interval } = this.cadence.current;
    for (let visited = 0; last || visited < walk.size; visited++) {
      const next = walk.connections.next();
      if (next.done) break;
      this.visit(next.value, now, interval, walk.closeAfter);
    }
    walk.slice++;
    if (last) this.walk = undefined;
  }

  private scheduleSlice(): void {
    const delay = Math.max(1, Math.round(this.cadence.current.interval / HEARTBEAT_SLICES));
    this.timer = setTimeout(() => {
      this.slice(Date.now());
      this.scheduleSlice();
    }, delay);
  }

  private startWalk(): void {
    const lag = this.lag?.read() ?? 0;
    const changed = this.policy?.observe(lag);
    if (changed) this.adopt(changed, lag);
    const { timeout } = this.cadence.current;
    const closeAfter = Math.max(timeout, this.previousTimeout);
    this.previousTimeout = timeout;
    this.walk = { connections: this.registry.all(), slice: 0, size: Math.ceil(this.registry.size / HEARTBEAT_SLICES), closeAfter };
  }

  private adopt(settings: HeartbeatSettings, lag: number): void {
    const stretched = settings.interval > this.cadence.current.interval;
    this.cadence.set(settings);
    for (const connection of this.registry.all()) {
      if (!connection.isClosing) connection.sendFrame(ProtocolEvent.Heartbeat, settings);
    }
    if (stretched) this.logger.warn(HEARTBEAT_STRETCHED(settings.interval, settings.timeout, lag));
    else this.logger.log(HEARTBEAT_RELAXED(settings.interval, settings.timeout));
  }

  private visit(connection: RealtimeConnection, now: number, interval: number, timeout: number): void {
    if (connection.isClosing) return;
    const silentFor = now - connection.lastSeenAt;
    if (silentFor > timeout) this.lifecycle.close(connection, CloseCode.HeartbeatTimeout, 'heartbeat timeout');
    else if (silentFor >= interval / 2) connection.socket.ping();
  }
}
