import type { StateEntry } from '@nest-realtime/protocol';

/** The keys of a shared state typed by `S` (a map of key → value type). */
export type StateKey<S extends object> = keyof S & string;

/** One key as the merged view shows it: the entry of the nearest scope that holds the key, and that scope. */
export interface SharedStateEntry<V = unknown> extends StateEntry<V> {
  /** The scope the entry comes from: the channel itself (or the group), or one of the ancestors it inherits. */
  scope: string;
}

/**
 * Why a key of the merged view changed: written (`set`), deleted (`removed`), its ttl ran out (`expired`),
 * or a whole scope was replaced by a `state:snapshot` (after a join, a rejoin or a resume past the log).
 */
export type SharedStateChangeReason = 'set' | 'removed' | 'expired' | 'snapshot';

interface KeyChange<K extends string, V> {
  key: K;
  /** The key's value now; undefined when no scope holds it any more. */
  value: V | undefined;
  /** The value it had before; undefined when it had none. */
  previous: V | undefined;
  /** The version now (0: absent). */
  version: number;
  /** The clientId that wrote the value now shown; null for server code, and for an absent key. */
  by: string | null;
  /**
   * The scope the value now comes from. After a removal in a nearer scope that uncovers an ancestor's
   * entry, that ancestor; when the key is gone from every scope, the scope it was removed from.
   */
  scope: string;
  reason: SharedStateChangeReason;
}

/** A change of one key of the merged view, typed by the key when `S` names its keys. */
export type SharedStateChange<S extends object = Record<string, unknown>> = {
  [K in StateKey<S>]: KeyChange<K, S[K]>;
}[StateKey<S>];

/** A scope's `state:snapshot`, once applied. */
export interface SharedStateSnapshot {
  scope: string;
  revision: number;
  epoch: string;
}

export interface SharedStateEvents<S extends object> {
  /** A key of the merged view changed. A change in an ancestor scope that a nearer scope shadows fires none. */
  change: SharedStateChange<S>;
  /** A scope's snapshot was applied (after the `change` events it caused). */
  snapshot: SharedStateSnapshot;
}

export interface StateSetOptions {
  /** Compare-and-set: applies only if the key's version is this one (0: the key must not exist yet). */
  version?: number;
  /** ms after which the server removes the key (members see it as `expired`). */
  ttl?: number;
}

export interface StateDeleteOptions {
  /** Compare-and-delete: applies only if the key's version is this one. */
  version?: number;
}
