import { Inject, Injectable } from '@nestjs/common';
import type { RealtimeEngine } from '../../engine/realtime-engine.interface';
import { encodeFrame } from '../../codec/frame.codec';
import { RealtimeException } from '../../errors/realtime.exception';
import { isReservedEvent } from '@nest-realtime/protocol';
import { REALTIME_ENGINE } from '../../realtime.constants';
import { StateSnapshots } from '../shared-state/state.snapshots';

/**
 * Server-side named sets of clientIds (admins, a team, the users of a plan). Clients never see a group;
 * a broadcast reaches every connection of every member. A group may have a shared state
 * (`SharedStateService.group`): a client added to it gets its `state:snapshot` on every connection.
 */
@Injectable()
export class GroupService {
  constructor(
    @Inject(REALTIME_ENGINE) private readonly engine: RealtimeEngine,
    private readonly stateSnapshots: StateSnapshots,
  ) {}

  /** Resolves to false when the client was a member already; a new member's connections get the group's state. */
  async add(group: string, clientId: string): Promise<boolean> {
    const added = await this.engine.groups.add(group, clientId);
    if (added) {
      // After the membership: every change after the snapshot's read reaches the client too.
      await this.stateSnapshots.sendGroupSnapshot(group, (frame) => this.engine.broker.sendToClient(clientId, frame));
    }
    return added;
  }

  /** Resolves to false when the client was not a member. */
  remove(group: string, clientId: string): Promise<boolean> {
    return this.engine.groups.remove(group, clientId);
  }

  members(group: string): Promise<string[]> {
    return this.engine.groups.members(group);
  }

  groupsOf(clientId: string): Promise<string[]> {
    return this.engine.groups.groupsOf(clientId);
  }

  /** Sends `{event, data}` to every connection of every member; resolves to the number of deliveries. */
  async broadcast(group: string, event: string, data?: unknown): Promise<number> {
    if (isReservedEvent(event) && !event.startsWith('system:')) {
      throw new RealtimeException('invalid', `"${event}" is a protocol event; broadcast an application event or a "system:" one.`);
    }
    const frame = encodeFrame(event, data);
    let delivered = 0;
    for (const clientId of await this.engine.groups.members(group)) delivered += await this.engine.broker.sendToClient(clientId, frame);
    return delivered;
  }
}
