import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { CleanupService } from '../../upkeep/cleanup/cleanup.service';
import type { CleanupTask } from '../../upkeep/cleanup/cleanup-task.interface';
import type { RealtimeEngine } from '../../engine/realtime-engine.interface';
import { REALTIME_ENGINE } from '../../realtime.constants';
import { ChannelRules } from './channel.rules';
import { StateSnapshots } from '../shared-state/state.snapshots';

/**
 * Expires the channels created with `ChannelService.create`: once one has had no member for its time to
 * live, its options are forgotten (its name falls back to the channel rules) and its record dropped.
 * Emptiness is seen on the cleanup sweeps, so a channel goes between `ttl` and `ttl + cleanup.interval`
 * after its last member left (or after its creation, when nobody joined).
 */
@Injectable()
export class TemporaryChannels implements OnModuleInit {
  /** Since when each temporary channel has been seen empty. */
  private readonly emptySince = new Map<string, number>();

  constructor(
    @Inject(REALTIME_ENGINE) private readonly engine: RealtimeEngine,
    private readonly rules: ChannelRules,
    private readonly cleanup: CleanupService,
    private readonly audit: AuditService,
    private readonly stateSnapshots: StateSnapshots,
  ) {}

  onModuleInit(): void {
    this.cleanup.addSweeper({ name: 'temporary channels', sweep: (now) => this.sweep(now) });
  }

  private async sweep(now: number): Promise<CleanupTask[]> {
    const tasks: CleanupTask[] = [];
    for (const [channel, { ttl }] of [...this.rules.temporary()]) {
      if ((await this.engine.memberships.count(channel)) > 0) {
        this.emptySince.delete(channel);
        continue;
      }
      const since = this.emptySince.get(channel);
      if (since === undefined) this.emptySince.set(channel, now);
      else if (now - since >= ttl) tasks.push({ key: `temporary:${channel}`, run: () => this.expire(channel, ttl) });
    }
    return tasks;
  }

  private async expire(channel: string, ttl: number): Promise<void> {
    // A member may have come in between the sweep and now.
    if ((await this.engine.memberships.count(channel)) > 0) return void this.emptySince.delete(channel);
    this.emptySince.delete(channel);
    await this.stateSnapshots.forget(channel);
    this.rules.undefine(channel);
    await this.engine.memberships.dropChannel(channel);
    this.audit.record({ type: 'channel.expired', connectionId: null, clientId: null, channel, reason: `empty for ${ttl} ms` });
  }
}
