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

/** The heartbeat walks the connections in this many slices per interval, at least. */
export const HEARTBEAT_SLICES = 10;
/**
 * Connections one slice visits, at most: with more, a walk takes more slices. A ping is a write (about
 * 25 µs); 20,000 pinged at once held the event loop for half a second.
 */
export const PINGS_PER_SLICE = 250;

/**
 * Pings quiet connections every `heartbeat.interval` and closes with 4000 those silent (no pong, no
 * frame) for longer than `heartbeat.timeout`. It walks the connections in slices spread over the interval
 * (`HEARTBEAT_SLICES`, more when a slice would visit over `PINGS_PER_SLICE`), so that no round of pings
 * holds the event loop. Adaptive (`heartbeat.adaptive`), before each walk it lets the event loop's lag
 * stretch or relax the interval (see `AdaptiveHeartbeatPolicy`), telling every connection.
 */
@Injectable()
export class HeartbeatScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private timer?: NodeJS.Timeout;
  private readonly logger: RealtimeLogger;
  private policy?: AdaptiveHeartbeatPolicy;
  private lag?: EventLoopLagSampler;
  private walk?: { connections: Iterator<RealtimeConnection>; slice: number; size: number; closeAfter: number };
  /** The slices of the walk under way, or of the last one: the next slice is an interval's share of them away. */
  private slices = HEARTBEAT_SLICES;
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
    if (adaptive) {
      this.policy = new AdaptiveHeartbeatPolicy({ interval, timeout }, adaptive);
      this.lag = new EventLoopLagSampler();
      this.lag.start();
    }
    this.scheduleSlice();
  }

  onModuleDestroy(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.lag?.stop();
  }

  /** One slice of the walk: close the silent, ping the quiet. The first of a walk (adaptive) adapts the interval to the lag sampled since the last. */
  private slice(now: number): void {
    if (!this.walk) this.startWalk();
    const walk = this.walk!;
    const last = walk.slice === this.slices - 1;
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
    const delay = Math.max(1, Math.round(this.cadence.current.interval / this.slices));
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
    this.slices = Math.max(HEARTBEAT_SLICES, Math.ceil(this.registry.size / PINGS_PER_SLICE));
    this.walk = { connections: this.registry.all(), slice: 0, size: Math.ceil(this.registry.size / this.slices), closeAfter };
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
