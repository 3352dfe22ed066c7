import type { ListenerErrorHandler, Unsubscribe } from '../events/typed.emitter';
import { TypedEmitter } from '../events/typed.emitter';
import type { StateDiff, StateEntry, StatePosition, StateSnapshot } from '@nest-realtime/protocol';
import type { SharedStateChange, SharedStateChangeReason, SharedStateEntry, SharedStateEvents, SharedStateSnapshot, StateKey } from './state.events';

interface Scope {
  entries: Map<string, StateEntry>;
  revision: number;
  epoch: string;
}

/** A diff whose revision is more than one above the scope's: changes were skipped (a server bug). */
export type StateGapHandler = (scope: string, held: number, got: number) => void;

/** How a copy treats frames that come out of order. */
export interface StateSyncOptions {
  onGap?: StateGapHandler;
  /**
   * Keep the diffs of a scope with no snapshot yet (or waiting for a fresh one, `awaitSnapshot`) and apply
   * those above the snapshot's revision once it comes: a group's diff may reach a connection before its
   * snapshot. Without it they are dropped: a channel's snapshot comes before any of its diffs.
   */
  keepEarlyDiffs?: boolean;
}

/** Early diffs kept per scope; past it the oldest go (a snapshot that late is newer than them anyway). */
const MAX_EARLY_DIFFS = 1000;

function isEntry(value: unknown): value is StateEntry {
  return typeof value === 'object' && value !== null && typeof (value as StateEntry).version === 'number';
}

function entriesOf(record: unknown): Array<[string, StateEntry]> {
  if (typeof record !== 'object' || record === null) return [];
  return Object.entries(record).filter((pair): pair is [string, StateEntry] => isEntry(pair[1]));
}

function sameEntry(a: SharedStateEntry | undefined, b: SharedStateEntry | undefined): boolean {
  if (!a || !b) return a === b;
  return a.scope === b.scope && a.version === b.version && JSON.stringify(a.value) === JSON.stringify(b.value);
}

/**
 * This client's copy of a shared state (a channel's, or a group's), kept in sync from `state:snapshot`
 * (replaces one scope) and `state:diff` (applied to one scope when its revision is above the scope's).
 * A channel that inherits holds one scope per ancestor besides its own; reads see the merged view, where
 * the nearest scope holding a key wins. Since an ancestor's name is a prefix of its descendants', the
 * longer scope name is the nearer one.
 */
export class SharedState<S extends object = Record<string, unknown>> {
  private readonly scopes = new Map<string, Scope>();
  /** Scope names, nearest first. */
  private order: string[] = [];
  /** With `keepEarlyDiffs`: the diffs of scopes waiting for a snapshot, by scope. */
  private readonly early = new Map<string, StateDiff[]>();
  private readonly events: TypedEmitter<SharedStateEvents<S>>;

  /** @internal Made by the client: `channel.sharedState`, `client.groupState(name)`. */
  constructor(
    /** The channel (or group) whose state this is; the name of its own scope. */
    readonly name: string,
    onListenerError: ListenerErrorHandler,
    private readonly sync: StateSyncOptions = {},
  ) {
    this.events = new TypedEmitter(onListenerError);
  }

  /** Whether the state's own snapshot arrived (ancestors' come before it): the copy follows the server. */
  get ready(): boolean {
    return this.scopes.has(this.name);
  }

  /** The key's value in the merged view; undefined when no scope holds it. */
  get<K extends StateKey<S>>(key: K): S[K] | undefined {
    return this.entry(key)?.value;
  }

  /** The key's entry in the merged view (value, version, writer, time, scope). */
  entry<K extends StateKey<S>>(key: K): SharedStateEntry<S[K]> | undefined {
    for (const scope of this.order) {
      const entry = this.scopes.get(scope)!.entries.get(key);
      if (entry) return { ...(entry as StateEntry<S[K]>), scope };
    }
    return undefined;
  }

  /** The key's version in the merged view: what a compare-and-set names; 0 when absent. */
  version(key: StateKey<S>): number {
    return this.entry(key)?.version ?? 0;
  }

  /** Every key of the merged view with its entry. */
  entries(): Record<string, SharedStateEntry> {
    const merged: Record<string, SharedStateEntry> = {};
    for (const scope of [...this.order].reverse()) {
      for (const [key, entry] of this.scopes.get(scope)!.entries) merged[key] = { ...entry, scope };
    }
    return merged;
  }

  /** Every key of the merged view with its value. */
  values(): Partial<S> {
    return Object.fromEntries(Object.entries(this.entries()).map(([key, entry]) => [key, entry.value])) as Partial<S>;
  }

  /** Where the copy stands in each scope it holds (by scope name): what a resume starts from. */
  positions(): Record<string, StatePosition> {
    return Object.fromEntries([...this.scopes].map(([scope, { revision, epoch }]) => [scope, { revision, epoch }]));
  }

  on<K extends keyof SharedStateEvents<S>>(event: K, listener: (value: SharedStateEvents<S>[K]) => void): Unsubscribe {
    return this.events.on(event, listener);
  }

  onChange(listener: (change: SharedStateChange<S>) => void): Unsubscribe {
    return this.events.on('change', listener);
  }

  onSnapshot(listener: (snapshot: SharedStateSnapshot) => void): Unsubscribe {
    return this.events.on('snapshot', listener);
  }

  /** @internal Replaces one scope with the server's snapshot, firing `change` for each key of the merged view that differs. */
  syncSnapshot(snapshot: StateSnapshot): boolean {
    if (typeof snapshot?.revision !== 'number' || typeof snapshot.epoch !== 'string') return false;
    const scope = this.scopeOf(snapshot);
    const entries = new Map(entriesOf(snapshot.entries));
    const keys = new Set([...(this.scopes.get(scope)?.entries.keys() ?? []), ...entries.keys()]);
    this.change(keys, () => 'snapshot', () => {
      if (!this.scopes.has(scope)) this.order = [...this.order, scope].sort((a, b) => b.length - a.length);
      this.scopes.set(scope, { entries, revision: snapshot.revision, epoch: snapshot.epoch });
    });
    this.events.emit('snapshot', { scope, revision: snapshot.revision, epoch: snapshot.epoch });
    const early = this.early.get(scope);
    if (early) {
      this.early.delete(scope);
      for (const diff of early.sort((a, b) => a.revision - b.revision)) this.syncDiff(diff);
    }
    return true;
  }

  /**
   * @internal Applies a diff to its scope; false when it is not applied: the diff's revision is not above
   * the scope's (a change the copy holds already), or the scope waits for a snapshot (the diff is then
   * kept for it with `keepEarlyDiffs`, dropped otherwise).
   */
  syncDiff(diff: StateDiff): boolean {
    if (typeof diff?.revision !== 'number') return false;
    const scope = this.scopeOf(diff);
    const held = this.scopes.get(scope);
    if (!held || this.early.has(scope)) {
      if (this.sync.keepEarlyDiffs) this.keepEarly(scope, diff);
      return false;
    }
    if (diff.revision <= held.revision) return false;
    if (diff.revision > held.revision + 1) this.sync.onGap?.(scope, held.revision, diff.revision);
    const set = entriesOf(diff.set);
    const removed = Array.isArray(diff.removed) ? diff.removed.filter((key): key is string => typeof key === 'string') : [];
    const expired = new Set(Array.isArray(diff.expired) ? diff.expired : []);
    const keys = new Set([...set.map(([key]) => key), ...removed]);
    const reason = (key: string): SharedStateChangeReason => (!removed.includes(key) ? 'set' : expired.has(key) ? 'expired' : 'removed');
    this.change(keys, reason, () => {
      for (const [key, entry] of set) held.entries.set(key, entry);
      for (const key of removed) held.entries.delete(key);
      held.revision = diff.revision;
    });
    return true;
  }

  /**
   * @internal The connection is gone and the next one brings a fresh snapshot (a group's): until it comes,
   * the copy stays as it is and diffs wait (with `keepEarlyDiffs`), since those of the new connection may
   * follow changes the copy never saw.
   */
  awaitSnapshot(): void {
    for (const scope of this.scopes.keys()) if (!this.early.has(scope)) this.early.set(scope, []);
  }

  /** @internal The membership is over: forget every scope, silently (the channel's `left` event says so). */
  clear(): void {
    this.scopes.clear();
    this.order = [];
    this.early.clear();
  }

  private keepEarly(scope: string, diff: StateDiff): void {
    let early = this.early.get(scope);
    if (!early) this.early.set(scope, (early = []));
    early.push(diff);
    if (early.length > MAX_EARLY_DIFFS) early.shift();
  }

  private scopeOf(address: { scope?: unknown }): string {
    return typeof address.scope === 'string' ? address.scope : this.name;
  }

  /** Applies `update`, then fires `change` for each of `keys` whose merged entry is not the one it was. */
  private change(keys: Set<string>, reason: (key: string) => SharedStateChangeReason, update: () => void): void {
    const before = new Map([...keys].map((key) => [key, this.entry(key as StateKey<S>)]));
    update();
    for (const [key, previous] of before) {
      const now = this.entry(key as StateKey<S>);
      if (sameEntry(previous, now)) continue;
      const change = {
        key,
        value: now?.value,
        previous: previous?.value,
        version: now?.version ?? 0,
        by: now?.by ?? null,
        scope: now?.scope ?? previous!.scope,
        reason: reason(key),
      };
      this.events.emit('change', change as SharedStateChange<S>);
    }
  }
}
