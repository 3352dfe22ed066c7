import { Inject, Injectable, OnModuleInit, Optional } from '@nestjs/common';
import { WebSocket } from 'ws';
import { ConnectionLifecycle } from '../../services/connection/connection.lifecycle';
import { ConnectionRegistry } from '../../services/connection/connection.registry';
import type { RealtimeEngine } from '../../engine/realtime-engine.interface';
import type { ResolvedRealtimeOptions } from '../../options/realtime-options.resolver';
import { PresenceService } from '../../services/presence/presence.service';
import { StateSnapshots } from '../../services/shared-state/state.snapshots';
import { CloseCode } from '@nest-realtime/protocol';
import { REALTIME_ENGINE, REALTIME_OPTIONS } from '../../realtime.constants';
import { HeartbeatCadence } from '../heartbeat/heartbeat.cadence';
import type { CleanupSweeper, CleanupTask } from './cleanup-task.interface';
import { CleanupService } from './cleanup.service';

/** The library's own sweepers: stale connections, empty channels, orphaned presence entries. */
@Injectable()
export class RealtimeSweepers implements OnModuleInit {
  constructor(
    @Inject(REALTIME_OPTIONS) private readonly options: ResolvedRealtimeOptions,
    @Inject(REALTIME_ENGINE) private readonly engine: RealtimeEngine,
    private readonly cleanup: CleanupService,
    private readonly registry: ConnectionRegistry,
    private readonly lifecycle: ConnectionLifecycle,
    private readonly presence: PresenceService,
    private readonly stateSnapshots: StateSnapshots,
    @Optional() private readonly cadence?: HeartbeatCadence,
  ) {}

  onModuleInit(): void {
    for (const sweeper of [this.staleConnections(), this.emptyChannels(), this.orphanedPresence()]) this.cleanup.addSweeper(sweeper);
  }

  /** Connections whose socket closed without telling us, or that outlived the heartbeat's timeout. */
  staleConnections(): CleanupSweeper {
    return {
      name: 'stale connections',
      sweep: (now) => {
        // The values in force: an adaptive heartbeat may have stretched them.
        const { interval, timeout } = this.cadence?.current ?? this.options.heartbeat;
        const tasks: CleanupTask[] = [];
        for (const connection of this.registry.all()) {
          const gone = connection.socket.readyState === WebSocket.CLOSED;
          if (!gone && now - connection.lastSeenAt <= timeout + interval) continue;
          tasks.push({
            key: `stale:${connection.id}`,
            run: () =>
              gone ? this.lifecycle.release(connection, CloseCode.GoingAway) : this.lifecycle.close(connection, CloseCode.HeartbeatTimeout, 'heartbeat timeout'),
          });
        }
        return tasks;
      },
    };
  }

  /** Channel records with no member and no presence left. */
  emptyChannels(): CleanupSweeper {
    return {
      name: 'empty channels',
      sweep: async () =>
        (await this.engine.memberships.emptyChannels()).map(({ channel }) => ({
          key: `channel:${channel}`,
          run: async () => {
            if (await this.engine.memberships.dropChannel(channel)) await this.stateSnapshots.forget(channel);
          },
        })),
    };
  }

  /** Presence entries whose connection is no longer a member: dropped, with a leave for the others. */
  orphanedPresence(): CleanupSweeper {
    return {
      name: 'orphaned presence',
      sweep: async () =>
        (await this.engine.presence.orphans()).map(({ channel, connectionId }) => ({
          key: `presence:${channel}:${connectionId}`,
          run: async () => void (await this.presence.untrack(connectionId, channel)),
        })),
    };
  }
}
