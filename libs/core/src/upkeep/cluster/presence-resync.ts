import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { ChannelRules } from '../../services/channel/channel.rules';
import type { RealtimeEngine } from '../../engine/realtime-engine.interface';
import { RealtimeLogger } from '../../logging/realtime.logger';
import type { ResolvedRealtimeOptions } from '../../options/realtime-options.resolver';
import { PresenceService } from '../../services/presence/presence.service';
import { REALTIME_ENGINE, REALTIME_OPTIONS } from '../../realtime.constants';

/**
 * After the engine's store came back (a Redis restart or outage), the diffs of what changed meanwhile on
 * other nodes never reached this node's members: each presence channel they are in gets a fresh, full
 * `presence:state`, which clients put in place of their copy. No ghost, no missing member. It carries the
 * version it was read at, so each member's gate goes on sending only what is newer.
 */
@Injectable()
export class PresenceResync implements OnModuleInit {
  private readonly logger: RealtimeLogger;

  constructor(
    @Inject(REALTIME_OPTIONS) options: ResolvedRealtimeOptions,
    @Inject(REALTIME_ENGINE) private readonly engine: RealtimeEngine,
    private readonly rules: ChannelRules,
    private readonly presence: PresenceService,
  ) {
    this.logger = new RealtimeLogger('RealtimeCluster', options.logLevels);
  }

  onModuleInit(): void {
    this.engine.watch({ resynchronised: (channels) => void this.sendStates(channels) });
  }

  private async sendStates(channels: string[]): Promise<void> {
    for (const channel of channels) {
      if (!this.rules.resolve(channel).presence) continue;
      try {
        await this.engine.broker.publishLocal(channel, (await this.presence.stateFrame(channel)).frame);
      } catch (error) {
        this.logger.warn(`Could not send the presence of "${channel}" again after a resynchronisation: ${String(error)}`);
      }
    }
  }
}
