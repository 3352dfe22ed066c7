import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { ChannelService } from '../../services/channel/channel.service';
import { CleanupService } from '../cleanup/cleanup.service';
import { ConnectionLifecycle } from '../../services/connection/connection.lifecycle';
import type { DeadNode, RealtimeEngine } from '../../engine/realtime-engine.interface';
import { RealtimeLogger } from '../../logging/realtime.logger';
import type { ResolvedRealtimeOptions } from '../../options/realtime-options.resolver';
import { REALTIME_ENGINE, REALTIME_OPTIONS } from '../../realtime.constants';

/**
 * The engine's sweepers. Dead nodes: nodes that died without saying goodbye (their heartbeat key
 * expired) are claimed on each cleanup sweep, then every connection of theirs leaves its channels (the
 * members left get presence leaves, as for a close) and groups; a node that dies while doing so loses its
 * claim, and another takes the work over. Housekeeping: expired histories and sessions.
 */
@Injectable()
export class ClusterSweepers implements OnModuleInit {
  /** Dead nodes this node claimed since it started (read by the metrics). */
  deadNodesClaimed = 0;
  private readonly logger: RealtimeLogger;

  constructor(
    @Inject(REALTIME_OPTIONS) options: ResolvedRealtimeOptions,
    @Inject(REALTIME_ENGINE) private readonly engine: RealtimeEngine,
    private readonly cleanup: CleanupService,
    private readonly channels: ChannelService,
    private readonly lifecycle: ConnectionLifecycle,
  ) {
    this.logger = new RealtimeLogger('RealtimeCluster', options.logLevels);
  }

  onModuleInit(): void {
    this.cleanup.addSweeper({
      name: 'dead nodes',
      sweep: async () => {
        const claimed = await this.engine.claimDeadNodes();
        this.deadNodesClaimed += claimed.length;
        return claimed.map((node) => ({ key: `node:${node.nodeId}`, run: () => this.release(node) }));
      },
    });
    this.cleanup.addSweeper({
      name: 'engine housekeeping',
      sweep: async (now) => {
        await this.engine.sweep(now);
        return [];
      },
    });
  }

  private async release(node: DeadNode): Promise<void> {
    this.logger.log(`Node ${node.nodeId} stopped announcing itself: releasing its ${node.connections.length} connections`);
    for (const { connectionId, clientId } of node.connections) {
      await this.channels.leaveAll(connectionId);
      await this.lifecycle.forget(connectionId, clientId);
    }
    await this.engine.forgetNode(node.nodeId);
  }
}
