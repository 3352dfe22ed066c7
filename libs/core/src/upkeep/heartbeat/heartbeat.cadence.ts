import { Inject, Injectable } from '@nestjs/common';
import type { HeartbeatSettings } from '@nest-realtime/protocol';
import type { ResolvedRealtimeOptions } from '../../options/realtime-options.resolver';
import { REALTIME_OPTIONS } from '../../realtime.constants';

/**
 * The heartbeat's values in force: the configured ones, or what the adaptive heartbeat stretched them to.
 * The welcome announces them and the stale-connection sweeper measures silence by them.
 */
@Injectable()
export class HeartbeatCadence {
  private settings: HeartbeatSettings;

  constructor(@Inject(REALTIME_OPTIONS) options: ResolvedRealtimeOptions) {
    this.settings = { interval: options.heartbeat.interval, timeout: options.heartbeat.timeout };
  }

  get current(): HeartbeatSettings {
    return this.settings;
  }

  set(settings: HeartbeatSettings): void {
    this.settings = { interval: settings.interval, timeout: settings.timeout };
  }
}
