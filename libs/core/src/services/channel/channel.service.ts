import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Observable } from 'rxjs';
import { AuditService } from '../audit/audit.service';
import { ChannelAuthorization } from '../authorization/channel-authorization.service';
import { ConnectionRegistry } from '../connection/connection.registry';
import type { RealtimeConnection } from '../connection/realtime-connection';
import type { LocalConnection, Membership, RealtimeEngine } from '../../engine/realtime-engine.interface';
import { EventStream } from '../../hooks/event-stream';
import type { ChannelEvent } from '../../hooks/realtime-events';
import { PresenceStateGate } from '../presence/presence-state.gate';
import { PresenceService } from '../presence/presence.service';
import { StateSnapshotGate, type StateStart } from '../shared-state/state-snapshot.gate';
import { StateSnapshots } from '../shared-state/state.snapshots';
import { encodeFrame } from '../../codec/frame.codec';
import type { PresenceFormat, PresenceState } from '@nest-realtime/protocol';
import { invalid, RealtimeException } from '../../errors/realtime.exception';
import { ProtocolEvent } from '@nest-realtime/protocol';
import type { ResolvedRealtimeOptions } from '../../options/realtime-options.resolver';
import { REALTIME_ENGINE, REALTIME_OPTIONS } from '../../realtime.constants';
import { ChannelOptions, ChannelRule, compileChannelRules, isValidChannelName, resolveChannelOptions, ResolvedChannelOptions } from './channel.options';
import { ChannelRules } from './channel.rules';
import type { PublishWriteTimer } from '../../transport/outbound/publish-write.timer';

/** A channel created at runtime: its options, and how long it lives on once empty. */
export interface TemporaryChannelOptions extends ChannelOptions {
  /** Milliseconds the channel lives on after its last member left (or after creation, if nobody joins). */
  ttl: number;
}

/** How a join is made (internal): by a client's frame, or by a resume. */
export interface JoinOptions {
  /** A resume's: where the channel's frames are written instead of straight to the connection. */
  via?: LocalConnection;
  /** A resume's: the presence meta, when it differs from the membership's (after a `presence:update`). */
  presence?: Record<string, unknown>;
  /**
   * Sends the join's reply. It runs before the channel's frames reach a new member, so that the reply
   * comes first; the `presence:state` follows at the next diff flush.
   */
  reply?: (result: JoinResult) => void;
  /** Whether the result carries the presence state (default true); without it the state comes only as `presence:state`. */
  stateInReply?: boolean;
  /** The form of the member's `presence:state` and `presence:diff` frames (default `'full'`). */
  presenceFormat?: PresenceFormat;
}

/**
 * Who a publish is from: a connection, or a client named by its clientId alone (the HTTP API of another
 * protocol that publishes on behalf of a connection, which may be on another node).
 */
export interface PublishOrigin {
  readonly clientId: string;
  /** The connection's id, when known: it goes into the `message` event (`ChannelEvent.connectionId`). */
  readonly id?: string;
}

export interface JoinResult {
  channel: string;
  /** The full presence state, for channels that track presence. */
  presence?: PresenceState;
  /** In a channel that keeps history: the offset of its last message (0: none yet); later messages count on from it. */
  offset?: number;
  /** In a channel that keeps history: the epoch its offsets belong to. */
  epoch?: string;
}

function assertChannelName(channel: unknown): asserts channel is string {
  if (!isValidChannelName(channel)) {
    throw invalid('A channel name is 1 to 200 printable characters without spaces.', [
      { field: 'channel', message: 'must be 1 to 200 printable ASCII characters, no spaces' },
    ]);
  }
}

/** Channel memberships and publishing; presence channels track their members on join. */
@Injectable()
export class ChannelService implements OnApplicationShutdown {
  private readonly channelStream = new EventStream<ChannelEvent>();
  private readonly messageStream = new EventStream<ChannelEvent>();
  /** Every join and leave. */
  readonly channel$: Observable<ChannelEvent> = this.channelStream.events$;
  /** Every publish, by clients and by server code. */
  readonly message$: Observable<ChannelEvent> = this.messageStream.events$;
  /** @internal Set by `RealtimeMetricsModule`: times some publishes, from the call to the write. */
  publishTimer?: PublishWriteTimer;

  constructor(
    @Inject(REALTIME_ENGINE) private readonly engine: RealtimeEngine,
    @Inject(REALTIME_OPTIONS) private readonly options: ResolvedRealtimeOptions,
    private readonly registry: ConnectionRegistry,
    private readonly rules: ChannelRules,
    private readonly presence: PresenceService,
    private readonly authorization: ChannelAuthorization,
    private readonly audit: AuditService,
    private readonly stateSnapshots: StateSnapshots,
  ) {}

  /** The options that apply to a channel name (`private` also when a `@ChannelAuthorizer` pattern matches it). */
  optionsOf(channel: string): ResolvedChannelOptions {
    const options = this.rules.resolve(channel);
    return !options.private && this.authorization.isPrivate(channel, options) ? { ...options, private: true } : options;
  }

  /**
   * Creates a temporary channel: these options apply to it, over the channel rules, until it has been
   * empty for `ttl` ms; then it is gone. Creating it again replaces its options and time to live.
   */
  create(channel: string, options: TemporaryChannelOptions): { channel: string; ttl: number } {
    assertChannelName(channel);
    const fail = (name: string, expected: string, got: unknown) =>
      new TypeError(`ChannelService.create("${channel}"): ${name} must be ${expected}; got ${JSON.stringify(got) ?? String(got)}.`);
    if (typeof options !== 'object' || options === null) throw fail('options', 'an object with a ttl', options);
    if (!Number.isInteger(options.ttl) || options.ttl < 0) throw fail('ttl', 'an integer number of milliseconds ≥ 0', options.ttl);
    const { ttl, ...channelOptions } = options;
    this.rules.define(channel, resolveChannelOptions(channelOptions, 'options', fail), ttl);
    return { channel, ttl };
  }

  /**
   * A join asked for by a client: private channels need their authorizers' yes first (refused:
   * `forbidden`, and the connection gets nothing of the channel).
   */
  async joinFrom(connection: RealtimeConnection, channel: string, meta: unknown = {}, how: JoinOptions = {}): Promise<JoinResult> {
    assertChannelName(channel);
    const checked = this.presence.validate(channel, meta);
    await this.authorization.check(connection, channel, checked, this.rules.resolve(channel));
    return this.joinVia(connection.id, channel, checked, how);
  }

  /**
   * Adds a connection of this node to a channel, or updates its meta when it is a member already. In a
   * presence channel the meta is validated first and the connection tracked; the result carries the state,
   * and a new member also gets it as `presence:state` at the next diff flush.
   */
  async join(connectionId: string, channel: string, meta: unknown = {}, how: Pick<JoinOptions, 'reply' | 'stateInReply'> = {}): Promise<JoinResult> {
    return this.joinVia(connectionId, channel, meta, { reply: how.reply, stateInReply: how.stateInReply });
  }

  /**
   * Rules for the channels no rule of the application's `channels` matches, checked after them (a protocol
   * module's conventions: Pusher's `presence-*`); the first matching one wins.
   */
  addDefaultRules(rules: ChannelRule[]): void {
    this.rules.addDefaults(compileChannelRules(rules));
  }

  /**
   * `join`, as a client or a resume makes it. A resume's frames go through `how.via` (which holds them
   * back while the history is replayed) and it sends the presence state itself. Any other new member of
   * a presence channel joins through a `PresenceStateGate`: the channel's frames wait until the reply
   * (`how.reply`) has gone out and the state is ready, and the state goes first. A new member of a channel
   * with a shared state joins through a `StateSnapshotGate` in front of it: its `state:snapshot` frames
   * (read before the reply) follow the `presence:state`, and only then the channel's frames.
   */
  private async joinVia(connectionId: string, channel: string, meta: unknown = {}, how: JoinOptions = {}): Promise<JoinResult> {
    assertChannelName(channel);
    const connection = this.connection(connectionId);
    const options = this.rules.resolve(channel);
    const checked = this.presence.validate(channel, meta);
    await this.assertRoomForAnotherChannel(connectionId, channel);
    // Used only when the join makes a new member: an engine keeps a member's first connection.
    const gate = options.presence && !how.via ? new PresenceStateGate(connection, how.presenceFormat === 'compact') : undefined;
    const stateGate = options.state && !how.via ? new StateSnapshotGate(channel, gate ?? connection) : undefined;
    let awaitsState = false;
    let stateStart: StateStart | null = null;
    try {
      // The engine checks the limit and adds the member in one step, on every node at once.
      const joined = await this.engine.memberships.join(channel, how.via ?? stateGate ?? gate ?? connection, checked, options.limit);
      if (joined.full) throw new RealtimeException('limit', `"${channel}" is full: it holds at most ${options.limit} members.`);
      const { created } = joined;
      if (created) {
        this.channelStream.emit({ type: 'join', channel, connectionId, clientId: connection.clientId, meta: checked, at: Date.now() });
      }
      const gateOfNewMember = created ? gate : undefined;
      if (options.presence) await this.presence.track(connectionId, channel, how.presence ?? checked, gateOfNewMember);
      awaitsState = gateOfNewMember !== undefined;
      if (connection.isClosing) {
        // The connection closed while joining, after its release took stock of its channels: undo.
        await this.remove(channel, connectionId);
        throw new RealtimeException('not_found', `Connection "${connectionId}" closed while joining "${channel}".`);
      }
      if (created && stateGate) {
        // Read once a member: every change after the read reaches the gate, those before are in the snapshot.
        stateStart = await this.stateSnapshots.startFor(channel).catch(async (error: unknown) => {
          await this.remove(channel, connectionId);
          throw error;
        });
      }
      const result: JoinResult = { channel };
      if (options.presence && how.stateInReply !== false) result.presence = await this.presence.list(channel);
      const position = options.history && (await this.engine.broker.position(channel, options.history));
      if (position) Object.assign(result, position);
      how.reply?.(result);
      return result;
    } finally {
      // A gate no state will come to (the join failed or was not new) lets frames through once released.
      if (gate && !awaitsState) gate.deliverState(null);
      stateGate?.deliver(stateStart);
      stateGate?.release();
      gate?.release();
    }
  }

  async leave(connectionId: string, channel: string): Promise<{ channel: string }> {
    assertChannelName(channel);
    const membership = await this.engine.memberships.get(channel, connectionId);
    if (!membership) throw new RealtimeException('not_joined', `Connection "${connectionId}" is not a member of "${channel}".`);
    await this.remove(channel, connectionId);
    return { channel };
  }

  /**
   * Removes every connection of a clientId from a channel; each gets `channel:kicked` `{channel, reason}`.
   * Resolves to how many connections were removed.
   */
  async kick(channel: string, clientId: string, reason = 'removed by the server'): Promise<number> {
    assertChannelName(channel);
    const kicked = (await this.engine.memberships.members(channel)).filter((member) => member.clientId === clientId);
    for (const { connectionId } of kicked) {
      await this.remove(channel, connectionId);
      const connection = this.registry.get(connectionId);
      const frame = encodeFrame(ProtocolEvent.ChannelKicked, { channel, reason });
      if (connection) connection.send(frame);
      else await this.engine.broker.sendToConnection(connectionId, frame);
      this.audit.record({ type: 'channel.kick', connectionId, clientId, ip: connection?.ip, channel, reason });
    }
    return kicked.length;
  }

  /** Removes a connection from every channel it joined (when it closes). */
  async leaveAll(connectionId: string): Promise<void> {
    for (const channel of await this.engine.memberships.channelsOf(connectionId)) await this.remove(channel, connectionId);
  }

  /**
   * Publishes to every member, on every node. The frame is encoded once, whatever the number of
   * members. `from` is the publishing clientId, or null for server code. In a channel that keeps
   * history the message is kept too, with the next offset. Resolves to the deliveries (with a cluster
   * engine: the channel's members on every node).
   */
  async publish(channel: string, payload: unknown, from: PublishOrigin | null = null): Promise<number> {
    assertChannelName(channel);
    return this.handOver(channel, payload, from).delivered;
  }

  /**
   * A publish by a client: it must be a member, and the channel must let members publish. Resolves to the
   * deliveries once every node has the message.
   */
  async publishFrom(connection: RealtimeConnection, channel: string, payload: unknown): Promise<number> {
    return (await this.handOverFrom(connection, channel, payload)).delivered;
  }

  /**
   * `publishFrom`, resolving as soon as the message is in the engine's hands, with `delivered`, which
   * settles once every node has it. An engine takes its calls in the order they are made (one Redis
   * connection keeps its commands in order), so a connection's next frame need not wait for the engine's
   * answer to keep its order: a publisher streams instead of waiting a Redis round trip per message.
   */
  async handOverFrom(connection: RealtimeConnection, channel: string, payload: unknown): Promise<{ delivered: Promise<number> }> {
    assertChannelName(channel);
    if (this.rules.resolve(channel).publish === 'server') {
      throw new RealtimeException('forbidden', `Only the server publishes to "${channel}".`);
    }
    if (!(await this.engine.memberships.get(channel, connection.id))) {
      throw new RealtimeException('not_joined', `Join "${channel}" before publishing to it.`);
    }
    return this.handOver(channel, payload, connection);
  }

  /** Encodes the message and calls the engine now, in call order; `delivered` follows its answer. The name is checked. */
  private handOver(channel: string, payload: unknown, from: PublishOrigin | null): { delivered: Promise<number> } {
    const startedAt = this.publishTimer?.start() ?? -1;
    const at = Date.now();
    const history = this.rules.resolve(channel).history;
    const sent = history
      ? this.engine.broker
          .publishMessage(channel, JSON.stringify({ channel, from: from?.clientId ?? null, payload, at }), history)
          .then((published) => ({ delivered: published.delivered, offset: published.position?.offset }))
      : this.engine.broker
          .publish(channel, encodeFrame(ProtocolEvent.ChannelMessage, { channel, from: from?.clientId ?? null, payload, at }))
          .then((delivered) => ({ delivered, offset: undefined }));
    const delivered = sent.then(({ delivered: count, offset }) => {
      const event: ChannelEvent = { type: 'message', channel, connectionId: from?.id ?? null, clientId: from?.clientId ?? null, payload, at };
      if (offset !== undefined) event.offset = offset;
      this.messageStream.emit(event);
      if (startedAt >= 0) this.publishTimer!.published(startedAt);
      return count;
    });
    return { delivered };
  }

  async members(channel: string): Promise<Membership[]> {
    return this.engine.memberships.members(channel);
  }

  async isMember(channel: string, connectionId: string): Promise<boolean> {
    return (await this.engine.memberships.get(channel, connectionId)) !== undefined;
  }

  async channelsOf(connectionId: string): Promise<string[]> {
    return this.engine.memberships.channelsOf(connectionId);
  }

  /**
   * The channels this node's connections are members of, by name, each with its members on every node.
   * With one node, every channel that has members; in a cluster, those with a member on this node.
   */
  async active(): Promise<Array<{ channel: string; members: number }>> {
    const channels = new Set<string>();
    for (const connection of [...this.registry.all()]) {
      for (const channel of await this.engine.memberships.channelsOf(connection.id)) channels.add(channel);
    }
    const names = [...channels].sort();
    const counts = await Promise.all(names.map((channel) => this.engine.memberships.count(channel)));
    return names.map((channel, index) => ({ channel, members: counts[index] })).filter(({ members }) => members > 0);
  }

  /** Membership first, then presence: the leaver is no longer a member when its own leave goes out. */
  private async remove(channel: string, connectionId: string): Promise<void> {
    const membership = await this.engine.memberships.leave(channel, connectionId);
    await this.presence.untrack(connectionId, channel);
    if (membership) {
      this.channelStream.emit({ type: 'leave', channel, connectionId, clientId: membership.clientId, meta: membership.meta, at: Date.now() });
    }
  }

  private async assertRoomForAnotherChannel(connectionId: string, channel: string): Promise<void> {
    const max = this.options.limits.maxChannelsPerConnection;
    if (max === 0 || (await this.engine.memberships.get(channel, connectionId))) return;
    if ((await this.engine.memberships.channelsOf(connectionId)).length >= max) {
      throw new RealtimeException('limit', `A connection may be in at most ${max} channels: leave one before joining "${channel}".`);
    }
  }

  private connection(connectionId: string): RealtimeConnection {
    const connection = this.registry.get(connectionId);
    if (!connection) throw new RealtimeException('not_found', `No open connection "${connectionId}" on this node.`);
    return connection;
  }

  onApplicationShutdown(): void {
    this.channelStream.complete();
    this.messageStream.complete();
  }
}
