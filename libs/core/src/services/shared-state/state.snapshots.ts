import { Inject, Injectable } from '@nestjs/common';
import type { ResumedState, StatePosition } from '@nest-realtime/protocol';
import type { RealtimeEngine, StateTarget } from '../../engine/realtime-engine.interface';
import { stateDiffFrame, stateSnapshotFrame } from '../../engine/state-frame';
import type { ResolvedRealtimeOptions } from '../../options/realtime-options.resolver';
import { REALTIME_ENGINE, REALTIME_OPTIONS } from '../../realtime.constants';
import type { ResolvedChannelState } from '../channel/channel.options';
import { ChannelRules } from '../channel/channel.rules';
import { ancestorScopes } from './state.scopes';
import type { StateStart } from './state-snapshot.gate';

/** The engine could not read a scope's changes (its store is unreachable). */
export class StateUnavailable extends Error {
  constructor(readonly scope: string) {
    super(`The shared state of "${scope}" cannot be read now: the engine cannot reach its store.`);
  }
}

/**
 * What a member of a channel starts its shared state from: the snapshot of each scope it gets (its
 * ancestors' when the channel inherits, farthest first, then its own), or after a resume the changes it
 * missed. Also the snapshot of a group's state.
 */
@Injectable()
export class StateSnapshots {
  constructor(
    @Inject(REALTIME_ENGINE) private readonly engine: RealtimeEngine,
    @Inject(REALTIME_OPTIONS) private readonly options: ResolvedRealtimeOptions,
    private readonly rules: ChannelRules,
  ) {}

  /** The scopes whose state the members of a channel get, farthest first, the channel's own last; [] without a state. */
  scopesOf(channel: string): string[] {
    const state = this.rules.resolve(channel).state;
    if (!state) return [];
    if (!state.inherit) return [channel];
    return [...ancestorScopes(channel, this.options.sharedState.separator).filter((scope) => this.rules.resolve(scope).state), channel];
  }

  /** The state rule of a channel or scope; undefined when it keeps none. */
  stateOf(channel: string): ResolvedChannelState | undefined {
    return this.rules.resolve(channel).state;
  }

  /** A new member's start: one `state:snapshot` per scope. Follows the ancestors first, so no change falls between. */
  async startFor(channel: string): Promise<StateStart | null> {
    const scopes = this.scopesOf(channel);
    if (scopes.length === 0) return null;
    await this.follow(channel, scopes);
    const start: StateStart = { frames: [], revisions: new Map() };
    const read = await Promise.all(scopes.map((scope) => this.engine.state.snapshot(target(scope))));
    scopes.forEach((scope, index) => {
      start.frames.push(stateSnapshotFrame({ channel, scope }, read[index]));
      start.revisions.set(scope, read[index].revision);
    });
    return start;
  }

  /**
   * A resumed member's start: per scope, the changes after the client's position as `state:diff` frames,
   * or a fresh snapshot when they are not all kept (or the client sent no position).
   */
  async catchUp(channel: string, positions: Record<string, StatePosition> = {}): Promise<{ start: StateStart; report: Record<string, ResumedState> } | null> {
    const scopes = this.scopesOf(channel);
    if (scopes.length === 0) return null;
    await this.follow(channel, scopes);
    const start: StateStart = { frames: [], revisions: new Map() };
    const report: Record<string, ResumedState> = {};
    for (const scope of scopes) {
      const position = positions[scope];
      const read = position ? await this.engine.state.changesSince(target(scope), position.revision, position.epoch) : undefined;
      if (read && 'lost' in read && read.lost === 'unavailable') throw new StateUnavailable(scope);
      if (!read || 'lost' in read) {
        await this.addSnapshot(start, channel, scope);
        report[scope] = { snapshot: true };
        continue;
      }
      for (const change of read.changes) start.frames.push(stateDiffFrame({ channel, scope }, change));
      start.revisions.set(scope, read.revision);
      report[scope] = { replayed: read.changes.length };
    }
    return { start, report };
  }

  /** A channel is gone (dropped empty): it stops following its ancestors. */
  async forget(channel: string): Promise<void> {
    if (this.rules.resolve(channel).state?.inherit) await this.engine.state.unfollow(channel);
  }

  /**
   * Sends a group's `state:snapshot` (none when nothing was ever written to it). No gate holds a group's
   * changes back, so one may overtake the snapshot between its read and its send: when the state moved on
   * meanwhile, a fresh snapshot follows (a few times at most), which replaces the copy with one that holds
   * every change sent before it.
   */
  async sendGroupSnapshot(group: string, send: (frame: Buffer) => unknown): Promise<void> {
    const target: StateTarget = { kind: 'group', name: group };
    let snapshot = await this.engine.state.snapshot(target);
    if (snapshot.revision === 0 && Object.keys(snapshot.entries).length === 0) return;
    for (let round = 0; round < GROUP_SNAPSHOT_ROUNDS; round++) {
      await send(stateSnapshotFrame({ group }, snapshot));
      const since = await this.engine.state.changesSince(target, snapshot.revision, snapshot.epoch);
      if ('changes' in since && since.changes.length === 0) return;
      snapshot = await this.engine.state.snapshot(target);
    }
  }

  private async follow(channel: string, scopes: string[]): Promise<void> {
    await Promise.all(scopes.filter((scope) => scope !== channel).map((scope) => this.engine.state.follow(scope, channel)));
  }

  private async addSnapshot(start: StateStart, channel: string, scope: string): Promise<void> {
    const snapshot = await this.engine.state.snapshot(target(scope));
    start.frames.push(stateSnapshotFrame({ channel, scope }, snapshot));
    start.revisions.set(scope, snapshot.revision);
  }
}

/** Snapshots sent at most to one connection for a group, when its state keeps moving while they go out. */
const GROUP_SNAPSHOT_ROUNDS = 3;

function target(scope: string): StateTarget {
  return { kind: 'channel', name: scope };
}
