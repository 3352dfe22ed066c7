import { Inject, Injectable } from '@nestjs/common';
import { CredentialsService } from '../../services/credentials/credentials.service';
import { ChannelService } from '../../services/channel/channel.service';
import { ConnectionStateService } from '../../services/connection/connection-state.service';
import { DirectService } from '../../services/direct/direct.service';
import { PresenceService } from '../../services/presence/presence.service';
import { invalid, RealtimeException } from '../../errors/realtime.exception';
import { ProtocolEvent } from '@nest-realtime/protocol';
import { ResumeService } from '../../services/resume/resume.service';
import { SharedStateService } from '../../services/shared-state/shared-state.service';
import type { FrameContext } from './frame-context';
import { RealtimeLogger } from '../../logging/realtime.logger';
import type { ResolvedRealtimeOptions } from '../../options/realtime-options.resolver';
import { REALTIME_OPTIONS } from '../../realtime.constants';

/** Handles one protocol event; the value it resolves to is the `result` of the reply. */
export type ProtocolHandler = (context: FrameContext, data: Record<string, unknown>) => unknown;

function requireString(data: Record<string, unknown>, field: string): string {
  const value = data[field];
  if (typeof value !== 'string' || value.length === 0) {
    throw invalid(`"${field}" is required.`, [{ field, message: 'must be a non-empty string' }]);
  }
  return value;
}

/** The protocol's own client events (`connection:*`, `channel:*`, `presence:*`, `state:*`, `direct:*`). */
@Injectable()
export class ProtocolHandlers {
  private readonly handlers = new Map<string, ProtocolHandler>([
    [ProtocolEvent.Ping, (context, data) => this.ping(context, data)],
    [ProtocolEvent.State, (context, data) => this.states.requestByClient(context.connection, requireString(data, 'state'))],
    [ProtocolEvent.Reauth, (context, data) => this.credentials.renew(context.connection, requireString(data, 'token'))],
    [ProtocolEvent.Resume, (context, data) => this.resume(context, data)],
    [ProtocolEvent.ChannelJoin, (context, data) => this.join(context, data)],
    [ProtocolEvent.ChannelLeave, (context, data) => this.channels.leave(context.connection.id, requireString(data, 'channel'))],
    [ProtocolEvent.ChannelPublish, (context, data) => this.publish(context, data)],
    [ProtocolEvent.PresenceUpdate, (context, data) => this.updatePresence(context, data)],
    [ProtocolEvent.PresenceList, (context, data) => this.listPresence(context, data)],
    [ProtocolEvent.DirectSend, (context, data) => this.direct(context, data)],
    [ProtocolEvent.StateSet, (context, data) => this.setState(context, data)],
    [ProtocolEvent.StateDelete, (context, data) => this.deleteState(context, data)],
  ]);

  private readonly logger: RealtimeLogger;

  constructor(
    private readonly channels: ChannelService,
    private readonly presence: PresenceService,
    private readonly states: ConnectionStateService,
    private readonly directs: DirectService,
    private readonly credentials: CredentialsService,
    private readonly resumes: ResumeService,
    private readonly sharedState: SharedStateService,
    @Inject(REALTIME_OPTIONS) options: ResolvedRealtimeOptions,
  ) {
    this.logger = new RealtimeLogger('RealtimeDispatch', options.logLevels);
  }

  get(event: string): ProtocolHandler | undefined {
    return this.handlers.get(event);
  }

  private ping(context: FrameContext, data: Record<string, unknown>): { t: unknown } {
    context.connection.sendFrame(ProtocolEvent.Pong, { t: data.t ?? null });
    return { t: data.t ?? null };
  }

  /**
   * Replies before any frame of the channel, so the client has its membership first; a new member of a
   * presence channel gets `presence:state` after the reply (at the next diff flush). `stateInReply: false`
   * leaves the state out of the reply: the client takes it from `presence:state` alone. `presenceFormat:
   * 'compact'` sends the member's presence frames in the compact form.
   */
  private async join(context: FrameContext, data: Record<string, unknown>): Promise<void> {
    const channel = requireString(data, 'channel');
    const { stateInReply = true, presenceFormat = 'full' } = data;
    if (typeof stateInReply !== 'boolean') throw invalid('"stateInReply" must be a boolean.', [{ field: 'stateInReply', message: 'must be a boolean' }]);
    if (presenceFormat !== 'full' && presenceFormat !== 'compact') {
      throw invalid('"presenceFormat" must be "full" or "compact".', [{ field: 'presenceFormat', message: 'must be "full" or "compact"' }]);
    }
    await this.channels.joinFrom(context.connection, channel, data.meta, { stateInReply, presenceFormat, reply: (result) => context.succeed(result) });
  }

  /**
   * Replies first, then sends each resumed presence channel's `presence:state`, as a join does, then each
   * shared state's catch-up, before the live `state:diff` frames go on.
   */
  private async resume(context: FrameContext, data: Record<string, unknown>): Promise<void> {
    const { result, release } = await this.resumes.resume(context.connection, data);
    context.succeed(result);
    release();
  }

  private async publish(context: FrameContext, data: Record<string, unknown>): Promise<{ channel: string }> {
    const channel = requireString(data, 'channel');
    if (!('payload' in data)) throw invalid('"payload" is required.', [{ field: 'payload', message: 'is required' }]);
    // Replied once the engine has it: the connection's next frame goes on meanwhile, in order (see handOverFrom).
    const { delivered } = await this.channels.handOverFrom(context.connection, channel, data.payload);
    delivered.catch((error: unknown) => this.logger.error(`A publish to "${channel}" by ${context.connection.id} failed after it was handed over`, error));
    return { channel };
  }

  /** `{channel, meta}` replaces the meta (keeping the status unless it names one); `{channel, status}` sets only the status. */
  private async updatePresence(context: FrameContext, data: Record<string, unknown>) {
    const channel = requireString(data, 'channel');
    if (!('meta' in data) && !('status' in data)) {
      throw invalid('"meta" or "status" is required: a new meta replaces the old one; a status changes only the status.', [
        { field: 'meta', message: 'is required' },
      ]);
    }
    const meta = await this.presence.updateFrom(context.connection.id, channel, { meta: data.meta, status: data.status });
    return { channel, meta };
  }

  private async listPresence(context: FrameContext, data: Record<string, unknown>) {
    const channel = requireString(data, 'channel');
    if (!(await this.channels.isMember(channel, context.connection.id))) {
      throw new RealtimeException('not_joined', `Join "${channel}" to see its presence.`);
    }
    return this.presence.list(channel);
  }

  /** `state:set` `{channel, key, value, version?, ttl?}` → `{channel, key, version, revision}`. */
  private setState(context: FrameContext, data: Record<string, unknown>) {
    const channel = requireString(data, 'channel');
    if (!('value' in data)) throw invalid('"value" is required: delete a key with state:delete.', [{ field: 'value', message: 'is required' }]);
    return this.sharedState.setFrom(context.connection, channel, data.key, data.value, { version: data.version, ttl: data.ttl });
  }

  /** `state:delete` `{channel, key, version?}` → `{channel, key, version: 0, revision}`. */
  private deleteState(context: FrameContext, data: Record<string, unknown>) {
    return this.sharedState.deleteFrom(context.connection, requireString(data, 'channel'), data.key, { version: data.version });
  }

  private async direct(context: FrameContext, data: Record<string, unknown>) {
    const to = requireString(data, 'to');
    if (!('payload' in data)) throw invalid('"payload" is required.', [{ field: 'payload', message: 'is required' }]);
    const delivered = await this.directs.send(to, data.payload, context.connection.clientId);
    if (delivered === 0) throw new RealtimeException('not_found', `"${to}" has no open connection.`);
    return { to, delivered };
  }
}
