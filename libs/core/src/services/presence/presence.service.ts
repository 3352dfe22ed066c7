import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Observable } from 'rxjs';
import type { PresenceWrite, RealtimeEngine } from '../../engine/realtime-engine.interface';
import { EventStream } from '../../hooks/event-stream';
import type { PresenceEvent } from '../../hooks/realtime-events';
import type { ResolvedRealtimeOptions } from '../../options/realtime-options.resolver';
import { encodeFrame } from '../../codec/frame.codec';
import type { PresenceDiff, PresenceMeta, PresenceState, PresenceStateMessage, PresenceStatusChange, PresenceStatusReason } from '@nest-realtime/protocol';
import { invalid, RealtimeException } from '../../errors/realtime.exception';
import { ProtocolEvent } from '@nest-realtime/protocol';
import { REALTIME_ENGINE, REALTIME_OPTIONS } from '../../realtime.constants';
import type { ResolvedPresenceStatuses } from '../channel/channel.options';
import { ChannelRules } from '../channel/channel.rules';
import { ConnectionRegistry } from '../connection/connection.registry';
import type { RealtimeConnection } from '../connection/realtime-connection';
import { RealtimeLogger } from '../../logging/realtime.logger';
import { PresenceDiffBatcher } from './presence-diff.batcher';
import { encodeState, encodeVersionedDiff, type VersionedPresenceDiff } from './presence-frames';
import { validatePresenceMeta } from './presence-meta.validator';
import { PresenceStateGate } from './presence-state.gate';
import { metaWithStatus, statusOf } from './presence-status.meta';
import { NO_STATUSES, NOT_A_STATUS, NOT_SETTABLE, ON_ANOTHER_NODE } from '../../realtime.messages';
import { PresenceStatusTracker, StatusMove } from './presence-status.tracker';

const stateKey = (channel: string, connectionId: string) => `${channel}\n${connectionId}`;
const ignore = () => undefined;

export type PresenceFilter = (meta: PresenceMeta, clientId: string) => boolean;

/** What a client's `presence:update` asks for: a new meta, a new status, or both. */
export interface PresenceUpdateRequest {
  meta?: unknown;
  status?: unknown;
}

/**
 * Who is in a channel: one meta per connection under its clientId. Changes reach the members as
 * batched `presence:diff` frames; a bad meta is refused and the previous one kept. In a channel whose
 * rule declares statuses, each meta carries its `status`; a status change goes out in the diff's
 * `statuses` and as a `status` event, and timeouts move the members whose connections are on this node.
 */
@Injectable()
export class PresenceService implements OnApplicationShutdown {
  private readonly stream = new EventStream<PresenceEvent>();
  /** Every presence join, leave, update and status change. */
  readonly presence$: Observable<PresenceEvent> = this.stream.events$;
  private readonly batcher: PresenceDiffBatcher;
  private readonly logger: RealtimeLogger;
  /** channel → connectionId → the gate of a new member waiting for the state after the next flush. */
  private readonly awaitingState = new Map<string, Map<string, PresenceStateGate>>();
  /** Every gate whose state has not been handed over yet (its flush may be reading it), by `stateKey`. */
  private readonly undelivered = new Map<string, PresenceStateGate>();
  /** The timeouts of the members of this node's connections in channels that have them. */
  private readonly statuses = new PresenceStatusTracker((move) => this.moved(move));
  /**
   * The last write in flight per member of a channel with statuses, by `stateKey`: its writes (a timeout,
   * the client's, the server's) run one after another. An entry lasts while writes are in flight.
   */
  private readonly writing = new Map<string, Promise<unknown>>();

  constructor(
    @Inject(REALTIME_OPTIONS) private readonly options: ResolvedRealtimeOptions,
    @Inject(REALTIME_ENGINE) private readonly engine: RealtimeEngine,
    private readonly rules: ChannelRules,
    private readonly registry: ConnectionRegistry,
  ) {
    this.logger = new RealtimeLogger('RealtimePresence', options.logLevels);
    this.batcher = new PresenceDiffBatcher(
      options.presence.batchMs,
      (diff) => this.deliver(diff),
      (channel) => this.sendStates(channel),
    );
  }

  /**
   * Checks a meta as a client sends it against the limits, the channel's required fields and, in a
   * channel with statuses, the statuses a client may set (`status`, if any); throws `invalid`.
   */
  validate(channel: string, meta: unknown): Record<string, unknown> {
    return this.checkMeta(channel, meta, 'client');
  }

  /**
   * Starts tracking a member connection; tracking again replaces its meta. With a `gate` (a new member's,
   * internal), the gate gets the channel's `presence:state` once this change has been flushed.
   */
  async track(connectionId: string, channel: string, meta: unknown = {}, gate?: PresenceStateGate): Promise<PresenceMeta> {
    const membership = await this.engine.memberships.get(channel, connectionId);
    if (!membership) throw new RealtimeException('not_joined', `Connection "${connectionId}" is not a member of "${channel}".`);
    const valid = this.checkMeta(channel, meta, 'server');
    const statuses = this.rules.resolve(channel).statuses;
    if (!statuses) return this.trackAs(connectionId, channel, membership.clientId, valid, gate);
    // A member joins in the status its meta names, or keeps the one it has (a join again), or starts in `initial`.
    return this.serially(channel, connectionId, async () => {
      const current = statusOf((await this.engine.presence.meta(channel, connectionId))?.meta);
      const status = statusOf(valid) ?? current ?? statuses.initial;
      const change = current !== undefined && current !== status ? ({ from: current, to: status, reason: 'client' } as const) : undefined;
      const stored = await this.trackAs(connectionId, channel, membership.clientId, metaWithStatus(valid, status), gate, change);
      this.follow(connectionId, channel, statuses, status);
      return stored;
    });
  }

  private async trackAs(
    connectionId: string,
    channel: string,
    clientId: string,
    meta: Record<string, unknown>,
    gate?: PresenceStateGate,
    status?: Omit<PresenceStatusChange, 'clientId'>,
  ): Promise<PresenceMeta> {
    const write = await this.engine.presence.set(channel, clientId, connectionId, meta);
    if (gate) {
      let gates = this.awaitingState.get(channel);
      if (!gates) this.awaitingState.set(channel, (gates = new Map()));
      gates.set(connectionId, gate);
      this.undelivered.set(stateKey(channel, connectionId), gate);
    }
    const kind = write.countBefore > 0 && write.countAfter === write.countBefore ? 'update' : 'join';
    this.changed(channel, kind, write, kind === 'update' && status ? { clientId, ...status } : undefined);
    return write.meta as PresenceMeta;
  }

  /**
   * Replaces the meta of a tracked connection; the previous meta stays when the new one is refused. In a
   * channel with statuses, a meta without `status` keeps the current one; one with a `status` (any the
   * channel declares) sets it, with reason `server`.
   */
  async update(connectionId: string, channel: string, meta: unknown): Promise<PresenceMeta> {
    return this.replace(connectionId, channel, this.checkMeta(channel, meta, 'server'), undefined, 'server');
  }

  /**
   * @internal A client's `presence:update`: a new meta, a `status` alone (the meta stays), or both (the
   * `status` wins over the meta's). The status must be one the channel lets clients set.
   */
  async updateFrom(connectionId: string, channel: string, request: PresenceUpdateRequest): Promise<PresenceMeta> {
    if (request.status !== undefined) this.checkStatus(channel, request.status, 'client', 'status');
    const meta = request.meta !== undefined || request.status === undefined ? this.checkMeta(channel, request.meta, 'client') : undefined;
    return this.replace(connectionId, channel, meta, request.status as string | undefined, 'client');
  }

  /**
   * The status of a connection in a channel with statuses (as the engine holds it: with many nodes, the
   * one every node sees); undefined when it has no presence there.
   */
  async status(channel: string, connectionId: string): Promise<string | undefined> {
    return statusOf((await this.engine.presence.meta(channel, connectionId))?.meta);
  }

  /**
   * Sets the status of a tracked connection in one channel, keeping its meta; the members get it as a
   * presence update with `statuses[connectionId] = {clientId, from, to, reason}`. The server may set any
   * status the channel declares (`invalid` otherwise); `not_joined` when the connection has no presence there.
   * With many nodes, call it on the node that holds the connection (where its timeouts run): `not_found` elsewhere.
   */
  async setStatus(connectionId: string, channel: string, status: string, reason: PresenceStatusReason = 'server'): Promise<PresenceMeta> {
    this.checkStatus(channel, status, reason === 'client' ? 'client' : 'server', 'status');
    if (!this.registry.get(connectionId) && (await this.engine.presence.meta(channel, connectionId))) {
      throw new RealtimeException('not_found', ON_ANOTHER_NODE(connectionId));
    }
    return this.replace(connectionId, channel, undefined, status, reason);
  }

  /** Stops tracking a connection in a channel; resolves to whether it was tracked. */
  async untrack(connectionId: string, channel: string): Promise<boolean> {
    this.stopAwaiting(channel, connectionId);
    this.statuses.untrack(channel, connectionId);
    const remove = () => {
      // Again once the writes before it are done: a join in flight may have followed the member since.
      this.statuses.untrack(channel, connectionId);
      return this.engine.presence.remove(channel, connectionId);
    };
    const write = await (this.rules.resolve(channel).statuses ? this.serially(channel, connectionId, remove) : remove());
    if (!write) return false;
    this.changed(channel, 'leave', write);
    return true;
  }

  /**
   * @internal Called by the frame dispatcher for every frame but heartbeats (after it wrote the
   * connection's `lastActiveAt`): the connection's members a timeout moved go back to `initial`.
   */
  activity(connection: RealtimeConnection): void {
    this.statuses.activity(connection);
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

  private checkMeta(channel: string, meta: unknown, by: 'client' | 'server'): Record<string, unknown> {
    const { maxMetaBytes: maxBytes, maxMetaDepth: maxDepth } = this.options.presence;
    const valid = validatePresenceMeta(meta, { maxBytes, maxDepth }, this.rules.resolve(channel).requiredMeta);
    if (valid.status !== undefined && this.rules.resolve(channel).statuses) this.checkStatus(channel, valid.status, by, 'meta.status');
    return valid;
  }

  /** A status the channel declares, and, set `by` a client, one clients may set; throws `invalid`. */
  private checkStatus(channel: string, status: unknown, by: 'client' | 'server', field: string): ResolvedPresenceStatuses {
    const statuses = this.rules.resolve(channel).statuses;
    if (!statuses) throw invalid(NO_STATUSES(channel), [{ field, message: 'is not used in this channel' }]);
    if (typeof status !== 'string' || !statuses.statuses.includes(status)) {
      throw invalid(NOT_A_STATUS(channel, status, statuses.statuses), [{ field, message: `must be one of ${statuses.statuses.join(', ')}` }]);
    }
    if (by === 'client' && !statuses.settable.includes(status)) {
      throw invalid(NOT_SETTABLE(channel, status, statuses.settable), [{ field, message: 'is not a status clients may set' }]);
    }
    return statuses;
  }

  /** Writes a new meta (undefined: the current one) and status (undefined: the meta's, or the current one). */
  private async replace(
    connectionId: string,
    channel: string,
    meta: Record<string, unknown> | undefined,
    status: string | undefined,
    reason: PresenceStatusReason,
  ): Promise<PresenceMeta> {
    const statuses = this.rules.resolve(channel).statuses;
    const notJoined = () => new RealtimeException('not_joined', `Connection "${connectionId}" has no presence in "${channel}".`);
    if (!statuses) {
      const current = await this.engine.presence.meta(channel, connectionId);
      if (!current) throw notJoined();
      const write = await this.engine.presence.set(channel, current.clientId, connectionId, meta ?? {});
      this.changed(channel, 'update', write);
      return write.meta as PresenceMeta;
    }
    return this.serially(channel, connectionId, async () => {
      const current = await this.engine.presence.meta(channel, connectionId);
      if (!current) throw notJoined();
      const from = statusOf(current.meta) ?? statuses.initial;
      const to = status ?? statusOf(meta) ?? from;
      // A status set on purpose, even the one it has, is no longer a timeout's, and counts from now.
      if (status !== undefined || to !== from) this.statuses.set(channel, connectionId, to);
      // A status it has already: nothing to write, nothing to tell.
      if (meta === undefined && to === from) return current.meta;
      const write = await this.engine.presence.set(channel, current.clientId, connectionId, metaWithStatus(meta ?? current.meta, to));
      const change = to === from ? undefined : { clientId: write.clientId, from, to, reason };
      this.changed(channel, meta === undefined ? 'status' : 'update', write, change);
      return write.meta as PresenceMeta;
    });
  }

  /** A member of a channel with timeouts, on this node: its deadlines are kept here. */
  private follow(connectionId: string, channel: string, statuses: ResolvedPresenceStatuses, status: string): void {
    if (statuses.timeouts.length === 0) return;
    const connection = this.registry.get(connectionId);
    if (connection && !connection.isClosing) this.statuses.track(connection, channel, statuses, status);
  }

  /** A timeout moved a member, or its activity brought it back: written unless its status changed meanwhile. */
  private moved({ channel, connectionId, from, to, reason }: StatusMove): void {
    this.serially(channel, connectionId, async () => {
      const current = await this.engine.presence.meta(channel, connectionId);
      if (!current) return;
      const status = statusOf(current.meta);
      if (status !== from) {
        // Changed by a write this node did not order (another node's): follow what the engine holds.
        if (status !== undefined && status !== to) this.statuses.set(channel, connectionId, status);
        return;
      }
      const write = await this.engine.presence.set(channel, current.clientId, connectionId, metaWithStatus(current.meta, to));
      this.changed(channel, 'status', write, { clientId: write.clientId, from, to, reason });
    }).catch((error: unknown) => {
      this.logger.error(`Could not move ${connectionId} from "${from}" to "${to}" (${reason}) in "${channel}"`, error);
    });
  }

  /** Runs a write of a member of a channel with statuses after the writes of that member already in flight. */
  private serially<T>(channel: string, connectionId: string, write: () => Promise<T>): Promise<T> {
    const key = stateKey(channel, connectionId);
    const before = this.writing.get(key);
    const running = before ? before.then(write, write) : write();
    const settled = running.then(ignore, ignore);
    this.writing.set(key, settled);
    void settled.then(() => {
      if (this.writing.get(key) === settled) this.writing.delete(key);
    });
    return running;
  }

  /** `status`: the status change of the write; a `status` write changes nothing else of the meta. */
  private changed(channel: string, type: PresenceEvent['type'], write: PresenceWrite, status?: PresenceStatusChange): void {
    this.batcher.push(channel, type === 'status' ? 'update' : type, write, status);
    const at = Date.now();
    const { clientId, connectionId, meta } = write;
    if (type !== 'status') {
      const event: PresenceEvent = { type, channel, clientId, connectionId, meta, at };
      if (type === 'join' && write.countBefore === 0) event.first = true;
      if (type === 'leave' && write.countAfter === 0) event.last = true;
      this.stream.emit(event);
    }
    if (status) this.stream.emit({ type: 'status', channel, clientId, connectionId, meta, from: status.from, to: status.to, reason: status.reason, at });
  }

  /**
   * Sends a batch's diff to the members, then one `presence:state`, read after the batch and encoded
   * once, to every new member of the batch: they get the state instead of the diff it already holds.
   * With the memory engine the diff reaches the local members within `publish`'s call, before the read.
   */
  private deliver(diff: VersionedPresenceDiff): void {
    const { channel } = diff;
    const frame = encodeVersionedDiff(diff);
    this.engine.broker.publish(channel, frame).catch((error) => {
      this.logger.error(`Could not send the presence diff of "${channel}"`, error);
    });
    this.sendStates(channel, frame);
  }

  private sendStates(channel: string, diff?: Buffer): void {
    const gates = this.awaitingState.get(channel);
    if (!gates) return;
    this.awaitingState.delete(channel);
    this.stateFrame(channel).then(
      ({ frame, version }) => {
        for (const [connectionId, gate] of gates) this.handOver(channel, connectionId, gate, frame, diff, version);
      },
      (error) => {
        this.logger.error(`Could not read the presence state of "${channel}" for its new members`, error);
        for (const [connectionId, gate] of gates) this.handOver(channel, connectionId, gate, null);
      },
    );
  }

  /**
   * The channel's `presence:state` frame, read at once with the version it stands at when the engine keeps
   * versions: a member's gate sends after it only what it does not hold.
   */
  async stateFrame(channel: string): Promise<{ frame: Buffer; version?: number }> {
    const { presence } = this.engine;
    const { presences, version } = presence.versionedState ? await presence.versionedState(channel) : { presences: await presence.state(channel) };
    const message: PresenceStateMessage = version === undefined ? { channel, presences } : { channel, presences, version };
    return { frame: encodeState(message), version };
  }

  private handOver(channel: string, connectionId: string, gate: PresenceStateGate, state: Buffer | null, diff?: Buffer, version?: number): void {
    const key = stateKey(channel, connectionId);
    // A member that left while its state was being read is not this gate's any more.
    if (this.undelivered.get(key) !== gate) return;
    this.undelivered.delete(key);
    gate.deliverState(state, diff, version);
  }

  /** The member left before its state went out: its gate (no longer the engine's) gets none. */
  private stopAwaiting(channel: string, connectionId: string): void {
    this.undelivered.delete(stateKey(channel, connectionId));
    const gates = this.awaitingState.get(channel);
    if (gates?.delete(connectionId) && gates.size === 0) this.awaitingState.delete(channel);
  }

  onApplicationShutdown(): void {
    this.statuses.stop();
    this.batcher.flushAll();
    this.stream.complete();
  }
}
