import type { StateEntry } from '@nest-realtime/protocol';
import { newEpoch } from '../history-frame';
import { stateDiffFrame } from '../state-frame';
import type {
  SharedStateStore,
  StateChange,
  StateChangesRead,
  StateLimits,
  StateOperation,
  StateSnapshotRead,
  StateTarget,
  StateWriteOutcome,
} from '../stores';
import { addId, idsOf, type IdSet, removeId } from './id-set';
import type { MemoryBroker } from './memory.broker';
import type { MemoryGroups } from './memory.groups';
import type { MemoryState } from './memory.state';

interface StoredState {
  target: StateTarget;
  entries: Map<string, StateEntry>;
  revision: number;
  epoch: string;
  /** The last changes, oldest first, their revisions consecutive up to `revision`. */
  log: StateChange[];
  /** The log size its last write asked for (an expiry keeps to it). */
  logSize: number;
  /** How many of its entries have an `expiresAt`. */
  expiring: number;
  /** When it was made or last changed. */
  touchedAt: number;
}

/**
 * The in-memory engine's shared states: each write applied, logged and delivered to this node's members
 * before it resolves, so changes go out in revision order. A state made by a read stays, with its epoch,
 * until it has no keys and no change for `idleTtl` ms (see `sweep`).
 */
export class MemorySharedState implements SharedStateStore {
  private readonly channels = new Map<string, StoredState>();
  private readonly groupStates = new Map<string, StoredState>();
  /** The states holding a key with a ttl. */
  private readonly expiring = new Set<StoredState>();
  /** scope → the channels that follow it. */
  private readonly followers = new Map<string, IdSet>();
  /** channel → the scopes it follows. */
  private readonly following = new Map<string, IdSet>();

  constructor(
    private readonly shared: MemoryState,
    private readonly broker: MemoryBroker,
    private readonly groups: MemoryGroups,
    private readonly idleTtl: number,
  ) {}

  async write(target: StateTarget, operation: StateOperation, limits: StateLimits): Promise<StateWriteOutcome> {
    const found = this.statesOf(target.kind).get(target.name);
    const current = found?.entries.get(operation.key);
    if (operation.expected !== undefined && operation.expected !== (current?.version ?? 0)) {
      return { ok: false, reason: 'conflict', version: current?.version ?? 0, value: current ? current.value : null };
    }
    if (operation.op === 'delete' && !current) return { ok: false, reason: 'missing' };
    if (operation.op === 'set' && !current && (found?.entries.size ?? 0) >= limits.maxKeys) return { ok: false, reason: 'full' };
    const state = found ?? this.stateOf(target);
    let change: StateChange;
    let version = 0;
    if (operation.op === 'set') {
      version = (current?.version ?? 0) + 1;
      const entry: StateEntry = { value: operation.value, version, by: operation.by, at: operation.at };
      if (operation.ttl !== undefined) entry.expiresAt = operation.at + operation.ttl;
      this.put(state, operation.key, entry, current);
      change = { revision: state.revision + 1, set: { [operation.key]: entry }, removed: [] };
    } else {
      this.remove(state, operation.key, current!);
      change = { revision: state.revision + 1, set: {}, removed: [operation.key] };
    }
    state.logSize = limits.logSize;
    this.apply(state, change);
    return { ok: true, change, version };
  }

  async snapshot(target: StateTarget): Promise<StateSnapshotRead> {
    const state = this.stateOf(target);
    return { entries: Object.fromEntries(state.entries), revision: state.revision, epoch: state.epoch };
  }

  /** A revision above the state's reads as `epoch`: the state it counted is gone. */
  async changesSince(target: StateTarget, revision: number, epoch: string): Promise<StateChangesRead> {
    const state = this.statesOf(target.kind).get(target.name);
    if (!state) return revision === 0 ? { changes: [], revision: 0 } : { lost: 'epoch' };
    if (state.epoch !== epoch || revision > state.revision) return { lost: 'epoch' };
    const missed = state.revision - revision;
    if (missed > state.log.length) return { lost: 'window' };
    return { changes: missed === 0 ? [] : state.log.slice(state.log.length - missed), revision: state.revision };
  }

  async follow(scope: string, channel: string): Promise<void> {
    addId(this.followers, scope, channel);
    addId(this.following, channel, scope);
  }

  async unfollow(channel: string): Promise<void> {
    for (const scope of idsOf(this.following.get(channel))) removeId(this.followers, scope, channel);
    this.following.delete(channel);
  }

  async expire(now: number): Promise<void> {
    for (const state of this.expiring) {
      const removed: string[] = [];
      for (const [key, entry] of state.entries) {
        if (entry.expiresAt !== undefined && entry.expiresAt <= now) removed.push(key);
      }
      if (removed.length === 0) continue;
      for (const key of removed) this.remove(state, key, state.entries.get(key)!);
      this.apply(state, { revision: state.revision + 1, set: {}, removed, expired: removed });
    }
  }

  /** Forgets the states with no key that did not change for `idleTtl` ms. */
  sweep(now: number): void {
    for (const states of [this.channels, this.groupStates]) {
      for (const [name, state] of states) {
        if (state.entries.size === 0 && now - state.touchedAt > this.idleTtl) states.delete(name);
      }
    }
  }

  clear(): void {
    this.channels.clear();
    this.groupStates.clear();
    this.expiring.clear();
    this.followers.clear();
    this.following.clear();
  }

  private statesOf(kind: StateTarget['kind']): Map<string, StoredState> {
    return kind === 'group' ? this.groupStates : this.channels;
  }

  private stateOf(target: StateTarget): StoredState {
    const states = this.statesOf(target.kind);
    let state = states.get(target.name);
    if (!state) {
      state = {
        target: { kind: target.kind, name: target.name },
        entries: new Map(),
        revision: 0,
        epoch: newEpoch(),
        log: [],
        logSize: 0,
        expiring: 0,
        touchedAt: Date.now(),
      };
      states.set(target.name, state);
    }
    return state;
  }

  private put(state: StoredState, key: string, entry: StateEntry, previous: StateEntry | undefined): void {
    if (previous?.expiresAt !== undefined) state.expiring--;
    if (entry.expiresAt !== undefined) state.expiring++;
    state.entries.set(key, entry);
    this.trackExpiring(state);
  }

  private remove(state: StoredState, key: string, previous: StateEntry): void {
    if (previous.expiresAt !== undefined) state.expiring--;
    state.entries.delete(key);
    this.trackExpiring(state);
  }

  private trackExpiring(state: StoredState): void {
    if (state.expiring > 0) this.expiring.add(state);
    else this.expiring.delete(state);
  }

  /** Counts, logs and delivers a change already made to the entries. */
  private apply(state: StoredState, change: StateChange): void {
    state.revision = change.revision;
    state.touchedAt = Date.now();
    state.log.push(change);
    if (state.log.length > state.logSize) state.log.splice(0, state.log.length - state.logSize);
    this.deliver(state.target, change);
  }

  private deliver({ kind, name }: StateTarget, change: StateChange): void {
    if (kind === 'group') {
      let frame: Buffer | undefined;
      for (const clientId of this.groups.clientsOf(name)) this.broker.deliverToClient(clientId, (frame ??= stateDiffFrame({ group: name }, change)));
      return;
    }
    if (this.hasMembers(name)) this.broker.deliver(name, stateDiffFrame({ channel: name }, change));
    for (const follower of idsOf(this.followers.get(name))) {
      if (follower !== name && this.hasMembers(follower)) this.broker.deliver(follower, stateDiffFrame({ channel: follower, scope: name }, change));
    }
  }

  private hasMembers(channel: string): boolean {
    return (this.shared.channels.get(channel)?.members.size ?? 0) > 0;
  }
}
