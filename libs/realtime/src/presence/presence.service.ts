import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Observable } from 'rxjs';
import type { PresenceWrite, RealtimeEngine } from '../engine/realtime-engine.interface';
import { EventStream } from '../events/event-stream';
import type { PresenceEvent } from '../events/realtime-events';
import type { ResolvedRealtimeOptions } from '../options/realtime-options.resolver';
import { encodeFrame } from '../protocol/frame.codec';
import type { PresenceDiff, PresenceMeta, PresenceState } from '../protocol/presence-state';
import { RealtimeException } from '../protocol/protocol-error';
import { ProtocolEvent } from '../protocol/protocol.events';
import { REALTIME_ENGINE, REALTIME_OPTIONS } from '../realtime.constants';
import { ChannelRules } from '../channel/channel.rules';
import { RealtimeLogger } from '../logging/realtime.logger';
import { PresenceDiffBatcher } from './presence-diff.batcher';
import { validatePresenceMeta } from './presence-meta.validator';

export type PresenceFilter = (meta: PresenceMeta, clientId: string) => boolean;

/**
 * Who is in a channel: one meta per connection under its clientId. Changes reach the members as
 * batched `presence:diff` frames; a bad meta is refused and the previous one kept.
 */
@Injectable()
export class PresenceService implements OnApplicationShutdown {
  private readonly stream = new EventStream<PresenceEvent>();
  /** Every presence join, leave and update. */
  readonly presence$: Observable<PresenceEvent> = this.stream.events$;
  private readonly batcher: PresenceDiffBatcher;
  private readonly logger: RealtimeLogger;

  constructor(
    @Inject(REALTIME_OPTIONS) private readonly options: ResolvedRealtimeOptions,
    @Inject(REALTIME_ENGINE) private readonly engine: RealtimeEngine,
    private readonly rules: ChannelRules,
  ) {
    this.logger = new RealtimeLogger('RealtimePresence', options.logLevels);
    this.batcher = new PresenceDiffBatcher(options.presence.batchMs, (diff) => this.deliver(diff));
  }

  /** Checks a meta against the limits and the channel's required fields; throws `invalid`. */
  validate(channel: string, meta: unknown): Record<string, unknown> {
    const { maxMetaBytes: maxBytes, maxMetaDepth: maxDepth } = this.options.presence;
    return validatePresenceMeta(meta, { maxBytes, maxDepth }, this.rules.resolve(channel).requiredMeta);
  }

  /** Starts tracking a member connection; tracking again replaces its meta. */
  async track(connectionId: string, channel: string, meta: unknown = {}): Promise<PresenceMeta> {
    const membership = await this.engine.membership(channel, connectionId);
    if (!membership) throw new RealtimeException('not_joined', `Connection "${connectionId}" is not a member of "${channel}".`);
    const valid = this.validate(channel, meta);
    const write = await this.engine.presenceSet(channel, membership.clientId, connectionId, valid);
    this.changed(channel, write.countBefore > 0 && write.countAfter === write.countBefore ? 'update' : 'join', write);
    return write.meta as PresenceMeta;
  }

  /** Replaces the meta of a tracked connection; the previous meta stays when the new one is refused. */
  async update(connectionId: string, channel: string, meta: unknown): Promise<PresenceMeta> {
    const valid = this.validate(channel, meta);
    const current = await this.engine.presenceMeta(channel, connectionId);
    if (!current) throw new RealtimeException('not_joined', `Connection "${connectionId}" has no presence in "${channel}".`);
    const write = await this.engine.presenceSet(channel, current.clientId, connectionId, valid);
    this.changed(channel, 'update', write);
    return write.meta as PresenceMeta;
  }

  /** Stops tracking a connection in a channel; resolves to whether it was tracked. */
  async untrack(connectionId: string, channel: string): Promise<boolean> {
    const write = await this.engine.presenceRemove(channel, connectionId);
    if (!write) return false;
    this.changed(channel, 'leave', write);
    return true;
  }

  async list(channel: string): Promise<PresenceState> {
    return this.engine.presenceState(channel);
  }

  /** The presence state with only the metas the filter keeps; clientIds left with none are dropped. */
  async listBy(channel: string, filter: PresenceFilter): Promise<PresenceState> {
    const state = await this.engine.presenceState(channel);
    const kept: PresenceState = {};
    for (const [clientId, entry] of Object.entries(state)) {
      const metas = entry.metas.filter((meta) => filter(meta, clientId));
      if (metas.length) kept[clientId] = { metas };
    }
    return kept;
  }

  /** The number of distinct clientIds present. */
  async count(channel: string): Promise<number> {
    return Object.keys(await this.engine.presenceState(channel)).length;
  }

  async isPresent(channel: string, clientId: string): Promise<boolean> {
    return (await this.engine.presenceState(channel))[clientId] !== undefined;
  }

  /** Sends every pending diff now (at shutdown, so leaves go out before the sockets close). */
  flush(): void {
    this.batcher.flushAll();
  }

  private changed(channel: string, type: PresenceEvent['type'], write: PresenceWrite): void {
    this.batcher.push(channel, type, write);
    const event: PresenceEvent = { type, channel, clientId: write.clientId, connectionId: write.connectionId, meta: write.meta, at: Date.now() };
    if (type === 'join' && write.countBefore === 0) event.first = true;
    if (type === 'leave' && write.countAfter === 0) event.last = true;
    this.stream.emit(event);
  }

  private deliver(diff: PresenceDiff): void {
    this.engine.publish(diff.channel, encodeFrame(ProtocolEvent.PresenceDiff, diff)).catch((error) => {
      this.logger.error(`Could not send the presence diff of "${diff.channel}"`, error);
    });
  }

  onApplicationShutdown(): void {
    this.batcher.flushAll();
    this.stream.complete();
  }
}
