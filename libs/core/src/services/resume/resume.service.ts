import { Inject, Injectable } from '@nestjs/common';
import { ChannelRules } from '../channel/channel.rules';
import { ChannelService } from '../channel/channel.service';
import type { RealtimeConnection } from '../connection/realtime-connection';
import type { RealtimeEngine, ResumeSession, StreamPosition } from '../../engine/realtime-engine.interface';
import { RealtimeLogger } from '../../logging/realtime.logger';
import type { ResolvedRealtimeOptions } from '../../options/realtime-options.resolver';
import { PresenceService } from '../presence/presence.service';
import { PresenceStateGate } from '../presence/presence-state.gate';
import type { ResumedChannel, ResumeStatePositions, StatePosition } from '@nest-realtime/protocol';
import { invalid, RealtimeException } from '../../errors/realtime.exception';
import { REALTIME_ENGINE, REALTIME_OPTIONS } from '../../realtime.constants';
import { ResumeGate } from './resume-gate';
import { StateSnapshotGate } from '../shared-state/state-snapshot.gate';
import { StateSnapshots, StateUnavailable } from '../shared-state/state.snapshots';

/** Why a session was not resumed. */
export type ResumeRefusal =
  /** Resume is off on this server. */
  | 'disabled'
  /** No session under that token: it expired, was used already, or never was. */
  | 'expired'
  /** The session belongs to another client. */
  | 'forbidden'
  /** A channel would not take the connection back (authorization, limit). */
  | 'refused'
  /** A channel that keeps history got no offset to resume from. */
  | 'offset_missing'
  /** A channel's history was lost or reset since (another epoch). */
  | 'history_lost'
  /** Some missed messages are no longer kept (size or age). */
  | 'window'
  /** The history cannot be read now (the engine's store is unreachable). */
  | 'unavailable'
  /** Too much arrived for the connection while it was being resumed. */
  | 'overflow';

export type { ResumedChannel };

/** The `result` of `connection:resume`. */
export type ResumeResult =
  | { resumed: true; missed: number; channels: Record<string, ResumedChannel> }
  | { resumed: false; reason: ResumeRefusal; channel?: string };

export interface ResumeOutcome {
  result: ResumeResult;
  /**
   * Sends each resumed presence channel's `presence:state`, then each shared-state catch-up (the missed
   * `state:diff` frames, or a snapshot), then lets the live frames through: call it after the reply.
   */
  release(): void;
}

const MAX_TOKEN_LENGTH = 128;
const MAX_EPOCH_LENGTH = 64;

class ResumeFailure extends Error {
  constructor(
    readonly reason: ResumeRefusal,
    readonly channel?: string,
  ) {
    super(reason);
  }
}

/**
 * `connection:resume`: gives a new connection the session of a closed one (same client, within the
 * window): joins its channels again with their metas, replays what each channel that keeps history
 * published after the client's offset, in order, then lets the live messages through without a gap or
 * a duplicate. All or nothing: when any channel cannot be restored exactly, nothing is, and the reply
 * says `resumed: false` and why.
 */
@Injectable()
export class ResumeService {
  private readonly resuming = new WeakSet<RealtimeConnection>();
  private readonly logger: RealtimeLogger;

  constructor(
    @Inject(REALTIME_OPTIONS) private readonly options: ResolvedRealtimeOptions,
    @Inject(REALTIME_ENGINE) private readonly engine: RealtimeEngine,
    private readonly channels: ChannelService,
    private readonly presence: PresenceService,
    private readonly rules: ChannelRules,
    private readonly stateSnapshots: StateSnapshots,
  ) {
    this.logger = new RealtimeLogger('RealtimeResume', options.logLevels);
  }

  async resume(connection: RealtimeConnection, data: Record<string, unknown>): Promise<ResumeOutcome> {
    const { token, positions, statePositions } = readRequest(data);
    if (this.resuming.has(connection) || (await this.engine.memberships.channelsOf(connection.id)).length > 0) {
      throw invalid('connection:resume must be the first thing a connection asks: before any join, and only once.', [
        { field: 'token', message: 'this connection already has channels or resumed' },
      ]);
    }
    this.resuming.add(connection);
    if (!this.options.resume) return refused('disabled');
    const session = await this.engine.sessions.take(token);
    if (!session) return refused('expired');
    const anonymous = connection.clientId === connection.id;
    if (session.anonymous ? !anonymous : session.clientId !== connection.clientId) return refused('forbidden');
    try {
      return await this.restore(connection, session, positions, statePositions);
    } catch (error) {
      if (error instanceof ResumeFailure) return refused(error.reason, error.channel);
      throw error;
    }
  }

  private async restore(
    connection: RealtimeConnection,
    session: ResumeSession,
    positions: Map<string, PositionAsked>,
    statePositions: ResumeStatePositions,
  ): Promise<ResumeOutcome> {
    const joined: Array<{ channel: string; gate: ResumeGate; stateGate?: StateSnapshotGate; presenceGate?: PresenceStateGate }> = [];
    try {
      for (const { channel, meta, presence } of session.channels) {
        // Live frames pass the ResumeGate (behind the replay), then the state's catch-up, then the presence
        // state, as a join's do: each waits for what the member must get before it.
        const rule = this.rules.resolve(channel);
        const presenceGate = rule.presence ? new PresenceStateGate(connection) : undefined;
        const stateGate = rule.state ? new StateSnapshotGate(channel, presenceGate ?? connection) : undefined;
        const gate = new ResumeGate(stateGate ?? presenceGate ?? connection, this.options.limits.maxPendingBytes);
        try {
          await this.channels.joinFrom(connection, channel, meta, { via: gate, presence });
          joined.push({ channel, gate, stateGate, presenceGate });
        } catch (error) {
          if (!(error instanceof RealtimeException)) throw error;
          this.logger.debug(`Resume of ${connection.id}: "${channel}" refused the connection (${error.code})`);
          throw new ResumeFailure('refused', channel);
        }
      }
      const replays = await Promise.all(joined.map(({ channel }) => this.missedIn(channel, positions.get(channel))));
      const catchUps = await Promise.all(joined.map(({ channel, stateGate }) => stateGate && this.stateMissedIn(channel, statePositions[channel])));
      if (joined.some(({ gate }) => gate.overflowed)) throw new ResumeFailure('overflow');
      const result: ResumeResult = { resumed: true, missed: 0, channels: {} };
      joined.forEach(({ channel, gate, stateGate }, index) => {
        const replay = replays[index];
        for (const frame of replay?.frames ?? []) connection.send(frame);
        gate.open(replay?.position);
        result.missed += replay?.frames.length ?? 0;
        const restored: ResumedChannel = replay ? { missed: replay.frames.length, ...replay.position } : { missed: 0 };
        const catchUp = catchUps[index];
        if (catchUp) {
          restored.state = catchUp.report;
          stateGate!.deliver(catchUp.start);
        }
        result.channels[channel] = restored;
      });
      const states = await Promise.all(joined.map(({ channel, presenceGate }) => presenceGate && this.presence.stateFrame(channel)));
      const release = () =>
        joined.forEach(({ stateGate, presenceGate }, index) => {
          presenceGate?.deliverState(states[index]!.frame, undefined, states[index]!.version);
          presenceGate?.release();
          stateGate?.release();
        });
      return { result, release };
    } catch (error) {
      for (const { channel, gate, stateGate, presenceGate } of joined) {
        gate.discard();
        stateGate?.deliver(null);
        presenceGate?.deliverState(null);
        await this.channels.leave(connection.id, channel).catch(() => undefined);
      }
      throw error;
    }
  }

  /** A channel's shared-state catch-up; a state that cannot be read fails the resume (`unavailable`): no silent gap. */
  private async stateMissedIn(channel: string, positions: Record<string, StatePosition> | undefined) {
    try {
      return await this.stateSnapshots.catchUp(channel, positions);
    } catch (error) {
      if (!(error instanceof StateUnavailable)) this.logger.warn(`Resume: could not read the shared state of "${channel}": ${String(error)}`);
      throw new ResumeFailure('unavailable', channel);
    }
  }

  /** What a channel that keeps history published after the client's position; undefined for a channel without history. */
  private async missedIn(channel: string, asked: PositionAsked | undefined): Promise<{ frames: Buffer[]; position: StreamPosition } | undefined> {
    const history = this.rules.resolve(channel).history;
    if (!history) return undefined;
    if (asked === undefined) throw new ResumeFailure('offset_missing', channel);
    const epoch = asked.epoch ?? (await this.engine.broker.position(channel, history))?.epoch;
    if (epoch === undefined) throw new ResumeFailure('unavailable', channel);
    const read = await this.engine.broker.historySince(channel, { offset: asked.offset, epoch }, history);
    if ('lost' in read) throw new ResumeFailure(read.lost === 'epoch' ? 'history_lost' : read.lost, channel);
    return read;
  }
}

interface PositionAsked {
  offset: number;
  /** Absent when the client sent a bare offset: taken as of the channel's current epoch. */
  epoch?: string;
}

function refused(reason: ResumeRefusal, channel?: string): ResumeOutcome {
  return { result: channel === undefined ? { resumed: false, reason } : { resumed: false, reason, channel }, release: () => undefined };
}

function isOffset(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** Checks the request; a bad one is `invalid` with every field at fault, and changes nothing. */
function readRequest(data: Record<string, unknown>): { token: string; positions: Map<string, PositionAsked>; statePositions: ResumeStatePositions } {
  const problems: Array<{ field: string; message: string }> = [];
  const { token, channels = {}, state = {} } = data;
  if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) {
    problems.push({ field: 'token', message: `must be the welcome's resume token (a string of 1 to ${MAX_TOKEN_LENGTH} characters)` });
  }
  const positions = new Map<string, PositionAsked>();
  if (typeof channels !== 'object' || channels === null || Array.isArray(channels)) {
    problems.push({ field: 'channels', message: 'must be an object of channel name → last offset (or {offset, epoch})' });
  } else {
    for (const [channel, value] of Object.entries(channels)) {
      if (value === null) continue;
      if (isOffset(value)) positions.set(channel, { offset: value });
      else if (isPosition(value)) positions.set(channel, { offset: value.offset, epoch: value.epoch });
      else problems.push({ field: `channels.${channel}`, message: 'must be an offset (an integer ≥ 0), {offset, epoch}, or null (no history)' });
    }
  }
  const statePositions = readStatePositions(state, problems);
  if (problems.length) throw invalid('connection:resume needs {token, channels?: {name: lastOffset}, state?: {channel: {scope: {revision, epoch}}}}.', problems);
  return { token: token as string, positions, statePositions };
}

/** `state`: channel → scope → {revision, epoch}; an entry at fault is named in `problems`. */
function readStatePositions(state: unknown, problems: Array<{ field: string; message: string }>): ResumeStatePositions {
  const positions: ResumeStatePositions = {};
  if (!isPlainRecord(state)) {
    problems.push({ field: 'state', message: 'must be an object of channel → scope → {revision, epoch}' });
    return positions;
  }
  for (const [channel, scopes] of Object.entries(state)) {
    if (!isPlainRecord(scopes)) {
      problems.push({ field: `state.${channel}`, message: 'must be an object of scope → {revision, epoch}' });
      continue;
    }
    positions[channel] = {};
    for (const [scope, position] of Object.entries(scopes)) {
      const { revision, epoch } = (isPlainRecord(position) ? position : {}) as Partial<StatePosition>;
      if (isOffset(revision) && typeof epoch === 'string' && epoch.length > 0 && epoch.length <= MAX_EPOCH_LENGTH) {
        positions[channel][scope] = { revision, epoch };
      } else {
        problems.push({ field: `state.${channel}.${scope}`, message: 'must be {revision: an integer ≥ 0, epoch: the snapshot\'s epoch}' });
      }
    }
  }
  return positions;
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isPosition(value: unknown): value is StreamPosition {
  const position = value as Partial<StreamPosition> | null;
  return (
    typeof position === 'object' &&
    position !== null &&
    isOffset(position.offset) &&
    typeof position.epoch === 'string' &&
    position.epoch.length > 0 &&
    position.epoch.length <= MAX_EPOCH_LENGTH
  );
}
