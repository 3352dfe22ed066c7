import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { Subscription } from 'rxjs';
import type { RealtimeEngine } from '../../engine/realtime-engine.interface';
import { RealtimeLogger } from '../../logging/realtime.logger';
import type { ResolvedRealtimeOptions } from '../../options/realtime-options.resolver';
import { REALTIME_ENGINE, REALTIME_OPTIONS } from '../../realtime.constants';
import { ConnectionLifecycle } from '../connection/connection.lifecycle';
import { ConnectionRegistry } from '../connection/connection.registry';
import { StateSnapshots } from './state.snapshots';

/**
 * Hands group states to new connections: a connection of a client already in groups whose state was
 * ever written gets their `state:snapshot` after its welcome (`GroupService.add` sends it to a client
 * added later). The changes after that come from the engine (see `StateSnapshots.sendGroupSnapshot` for
 * a change that overtakes the snapshot).
 */
@Injectable()
export class GroupStateDelivery implements OnModuleInit, OnModuleDestroy {
  private subscription?: Subscription;
  private readonly logger: RealtimeLogger;

  constructor(
    @Inject(REALTIME_ENGINE) private readonly engine: RealtimeEngine,
    @Inject(REALTIME_OPTIONS) options: ResolvedRealtimeOptions,
    private readonly snapshots: StateSnapshots,
    private readonly registry: ConnectionRegistry,
    private readonly lifecycle: ConnectionLifecycle,
  ) {
    this.logger = new RealtimeLogger('RealtimeState', options.logLevels);
  }

  onModuleInit(): void {
    this.subscription = this.lifecycle.connection$.subscribe((event) => {
      // An anonymous connection is its own client: no group can hold it before it opens.
      if (event.type === 'open' && event.clientId !== event.connectionId) void this.greet(event.connectionId, event.clientId);
    });
  }

  private async greet(connectionId: string, clientId: string): Promise<void> {
    try {
      for (const group of await this.engine.groups.groupsOf(clientId)) {
        await this.snapshots.sendGroupSnapshot(group, (frame) => this.registry.get(connectionId)?.send(frame));
      }
    } catch (error) {
      this.logger.warn(`Could not send the group states of ${clientId} to its new connection ${connectionId}: ${String(error)}`);
    }
  }

  onModuleDestroy(): void {
    this.subscription?.unsubscribe();
  }
}
