import { Injectable, type Type } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { ChannelService, PresenceService } from '@nest-realtime/core';
import { ProtocolEndpoints } from '@nest-realtime/core/protocols';
import { NEEDS_REALTIME_MODULE } from './pusher.messages';

/**
 * The services of `RealtimeModule` (imported beside this module, not inside it), looked up once on first
 * use: they exist by then, whatever order Nest created the two modules' providers in.
 */
@Injectable()
export class RealtimeServicesAccessor {
  private channelService?: ChannelService;
  private presenceService?: PresenceService;
  private protocolEndpoints?: ProtocolEndpoints;

  constructor(private readonly moduleRef: ModuleRef) {}

  get channels(): ChannelService {
    return (this.channelService ??= this.find(ChannelService));
  }

  get presence(): PresenceService {
    return (this.presenceService ??= this.find(PresenceService));
  }

  get endpoints(): ProtocolEndpoints {
    return (this.protocolEndpoints ??= this.find(ProtocolEndpoints));
  }

  private find<T>(type: Type<T>): T {
    try {
      return this.moduleRef.get(type, { strict: false });
    } catch {
      throw new Error(NEEDS_REALTIME_MODULE);
    }
  }
}
