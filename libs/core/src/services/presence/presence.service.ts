import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Observable } from 'rxjs';
import type { PresenceWrite, RealtimeEngine } from '../../engine/realtime-engine.interface';
import { EventStream } from '../../hooks/event-stream';
import type { PresenceEvent } from '../../hooks/realtime-events';
import type { ResolvedRealtimeOptions } from '../../options/realtime-options.resolver';
import { encodeFrame } from '../../codec/frame.codec';
import type { PresenceDiff, PresenceMeta, PresenceState } from '@nest-realtime/protocol';
import { RealtimeException } from '../../errors/realtime.exception';
import { ProtocolEvent } from '@nest-realtime/protocol';
import { REALTIME_ENGINE, REALTIME_OPTIONS } from '../../realtime.constants';
import { ChannelRules } from '../channel/channel.rules';
import { RealtimeLogger } from '../../logging/realtime.logger';
import { PresenceDiffBatcher } from './presence-diff.batcher';
import { validatePresenceMeta } from './presence-meta.validator';
import { PresenceStateGate } from './presence-state.gate';

const stateKey = (channel: string, connectionId: string) => `${channel}\n${connectionId}`;

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
  /** channel → connectionId → the gate of a new member waiting for the state after the next flush. */
  private readonly awaitingState = new Map<string, Map<string, PresenceStateGate>>();
  /** Every gate whose state has not been handed over yet (its flush may be reading it), by `stateKey`. */
  private readonly undelivered = new Map<string, PresenceStateGate>();

  constructor(
    @Inject(REALTIME_OPTIONS) private readonly options: ResolvedRealtimeOptions,
    @Inject(REALTIME_ENGINE) private readonly engine: RealtimeEngine,
    private readonly rules: ChannelRules,
  ) {
    this.logger = new RealtimeLogger('RealtimePresence', options.logLevels);
    this.batcher = new PresenceDiffBatcher(
      options.presence.batchMs,
      (diff) => this.deliver(diff),
      (channel) => this.sendStates(channel),
    );
  }

  /** Checks a meta against the limits and the channel's required fields; throws `invalid`. */
  validate(channel: string, meta: unknown): Record<string, unknown> {
    const { maxMetaBytes: maxBytes, maxMetaDepth: maxDepth } = this.options.presence;
    return validatePresenceMeta(meta, { maxBytes, maxDepth }, this.rules.resolve(channel).requiredMeta);
  }

  /**
   * Starts tracking a member connection; tracking again replaces its meta. With a `gate` (a new member's,
   * internal), the gate gets the channel's `presence:state` once this change has been flushed.
   */
  async track(connectionId: string, channel: string, meta: unknown = {}, gate?: PresenceStateGate): Promise<PresenceMeta> {
    const membership = await this.engine.memberships.get(channel, connectionId);
    if (!membership) throw new RealtimeException('not_joined', `Connection "${connectionId}" is not a member of "${channel}".`);
    const valid = this.validate(channel, meta);
    const write = await this.engine.presence.set(channel, membership.clientId, connectionId, valid);
    if (gate) {
      let gates = this.awaitingState.get(channel);
      if (!gates) this.awaitingState.set(channel, (gates = new Map()));
      gates.set(connectionId, gate);
      this.undelivered.set(stateKey(channel, connectionId), gate);
    }
    this.changed(channel, write.countBefore > 0 && write.countAfter === write.countBefore ? 'update' : 'join', write);
    return write.meta as PresenceMeta;
  }

  /** Replaces the meta of a tracked connection; the previous meta stays when the new one is refused. */
  async update(connectionId: string, channel: string, meta: unknown): Promise<PresenceMeta> {
    const valid = this.validate(channel, meta);
    const current = await this.engine.presence.meta(channel, connectionId);
    if (!current) throw new RealtimeException('not_joined', `Connection "${connectionId}" has no presence in "${channel}".`);
    const write = await this.engine.presence.set(channel, current.clientId, connectionId, valid);
    this.changed(channel, 'update', write);
    return write.meta as PresenceMeta;
  }

  /** Stops tracking a connection in a channel; resolves to whether it was tracked. */
  async untrack(connectionId: string, channel: string): Promise<boolean> {
    this.stopAwaiting(channel, connectionId);
    const write = await this.engine.presence.remove(channel, connectionId);
    if (!write) return false;
    this.changed(channel, 'leave', write);
    return true;
  }

  async list(channel: string): Promise<PresenceState> {
    return this.engine.presence.state(channel);
  }

  /** The presence state with only the metas the filter keeps; clientIds left with none are dropped. */
  async listBy(channel: string, filter: PresenceFilter): Promise<PresenceState> {
    const state = await this.engine.presence.state(channel);
    const kept: PresenceState = {};
    for (const [clientId, entry] of Object.entries(state)) {
      const metas = entry.metas.filter((meta) => filter(meta, clientId));
      if (metas.length) kept[clientId] = { metas };
    }
    return kept;
  }

  /** The number of distinct clientIds present. */
  async count(channel: string): Promise<number> {
    return Object.keys(await this.engine.presence.state(channel)).length;
  }

  async isPresent(channel: string, clientId: string): Promise<boolean> {
    return (await this.engine.presence.state(channel))[clientId] !== undefined;
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

  /**
   * Sends a batch's diff to the members, then one `presence:state`, read after the batch and encoded
   * once, to every new member of the batch: they get the state instead of the diff it already holds.
   * With the memory engine the diff reaches the local members within `publish`'s call, before the read.
   */
  private deliver(diff: PresenceDiff): void {
    const { channel } = diff;
    const frame = encodeFrame(ProtocolEvent.PresenceDiff, diff);
    this.engine.broker.publish(channel, frame).catch((error) => {
      this.logger.error(`Could not send the presence diff of "${channel}"`, error);
    });
    this.sendStates(channel, frame);
  }

  private sendStates(channel: string, diff?: Buffer): void {
    const gates = this.awaitingState.get(channel);
    if (!gates) return;
    this.awaitingState.delete(channel);
    this.engine.presence.state(channel).then(
      (presences) => {
        const state = encodeFrame(ProtocolEvent.PresenceState, { channel, presences });
        for (const [connectionId, gate] of gates) this.handOver(channel, connectionId, gate, state, diff);
      },
      (error) => {
        this.logger.error(`Could not read the presence state of "${channel}" for its new members`, error);
        for (const [connectionId, gate] of gates) this.handOver(channel, connectionId, gate, null);
      },
    );
  }

  private handOver(channel: string, connectionId: string, gate: PresenceStateGate, state: Buffer | null, diff?: Buffer): void {
    const key = stateKey(channel, connectionId);
    // A member that left while its state was being read is not this gate's any more.
    if (this.undelivered.get(key) !== gate) return;
    this.undelivered.delete(key);
    gate.deliverState(state, diff);
  }

  /** The member left before its state went out: its gate (no longer the engine's) gets none. */
  private stopAwaiting(channel: string, connectionId: string): void {
    this.undelivered.delete(stateKey(channel, connectionId));
    const gates = this.awaitingState.get(channel);
    if (gates?.delete(connectionId) && gates.size === 0) this.awaitingState.delete(channel);
  }

  onApplicationShutdown(): void {
    this.batcher.flushAll();
    this.stream.complete();
  }
}
