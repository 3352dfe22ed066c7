import { Inject, Injectable } from '@nestjs/common';
import type { RealtimeEngine } from '../../engine/realtime-engine.interface';
import { encodeFrame } from '../../codec/frame.codec';
import { RealtimeException } from '../../errors/realtime.exception';
import { isReservedEvent } from '@nest-realtime/protocol';
import { REALTIME_ENGINE } from '../../realtime.constants';

/**
 * Server-side named sets of clientIds (admins, a team, the users of a plan). Clients never see a group;
 * a broadcast reaches every connection of every member.
 */
@Injectable()
export class GroupService {
  constructor(@Inject(REALTIME_ENGINE) private readonly engine: RealtimeEngine) {}

  /** Resolves to false when the client was a member already. */
  add(group: string, clientId: string): Promise<boolean> {
    return this.engine.groups.add(group, clientId);
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
