import type { ListenerErrorHandler, Unsubscribe } from '../events/typed.emitter';
import { TypedEmitter } from '../events/typed.emitter';
import type { CompactPresenceDiff, CompactPresenceMember, PresenceDiff, PresenceMeta, PresenceState, PresenceStatusChange } from '@nest-realtime/protocol';
import { fullDiff, fullState } from './presence.forms';
import type { PresenceEvents, PresenceJoin, PresenceLeave, PresenceMember, PresenceStatus, PresenceUpdate } from './presence.events';

/** Sends `presence:update {channel, status}` for this connection; resolves to its meta as the server stored it. */
export type StatusSender<M extends object> = (status: string) => Promise<PresenceMeta<M>>;

function isStatusChange(value: unknown): value is PresenceStatusChange {
  const change = value as PresenceStatusChange | null;
  return typeof change?.clientId === 'string' && typeof change.from === 'string' && typeof change.to === 'string';
}

function sameMeta(a: object, b: object): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function metasOf<M extends object>(entry: unknown): PresenceMeta<M>[] {
  const metas = (entry as { metas?: unknown } | null)?.metas;
  if (!Array.isArray(metas)) return [];
  return metas.filter((meta): meta is PresenceMeta<M> => typeof (meta as PresenceMeta<M> | null)?.connectionId === 'string');
}

/**
 * This client's copy of a channel's presence, kept in sync from `presence:state` (replaces the copy) and
 * `presence:diff` (applied to it, keyed by connectionId, so a join already held changes nothing).
 * Callbacks fire per connection; `first`/`last` say whether the clientId arrived or is gone. In a
 * channel whose rule declares statuses, each meta carries its `status` and `onStatus` hears every change.
 */
export class ChannelPresence<M extends object = Record<string, unknown>> {
  /** clientId → connectionId → meta, in arrival order. */
  private readonly members = new Map<string, Map<string, PresenceMeta<M>>>();
  private readonly events: TypedEmitter<PresenceEvents<M>>;
  private synced = false;

  constructor(
    onListenerError: ListenerErrorHandler,
    private readonly sendStatus?: StatusSender<M>,
  ) {
    this.events = new TypedEmitter(onListenerError);
  }

  /** Whether the copy follows the server: false before the first state and after a lost connection. */
  get inSync(): boolean {
    return this.synced;
  }

  list(): PresenceMember<M>[] {
    return [...this.members].map(([clientId, metas]) => ({ clientId, metas: [...metas.values()] }));
  }

  get(clientId: string): PresenceMember<M> | undefined {
    const metas = this.members.get(clientId);
    return metas && { clientId, metas: [...metas.values()] };
  }

  /** The number of distinct clientIds present. */
  get count(): number {
    return this.members.size;
  }

  get state(): PresenceState<M> {
    return Object.fromEntries(this.list().map(({ clientId, metas }) => [clientId, { metas }]));
  }

  onJoin(listener: (join: PresenceJoin<M>) => void): Unsubscribe {
    return this.events.on('join', listener);
  }

  onLeave(listener: (leave: PresenceLeave<M>) => void): Unsubscribe {
    return this.events.on('leave', listener);
  }

  onUpdate(listener: (update: PresenceUpdate<M>) => void): Unsubscribe {
    return this.events.on('update', listener);
  }

  onSync(listener: (members: PresenceMember<M>[]) => void): Unsubscribe {
    return this.events.on('sync', listener);
  }

  /** A connection's status changed: `{clientId, connectionId, from, to, reason, meta}`. */
  onStatus(listener: (change: PresenceStatus<M>) => void): Unsubscribe {
    return this.events.on('status', listener);
  }

  /**
   * The status of a clientId's connection (`connectionId`), or without one, of its last connection to
   * join; undefined when it is not here or its meta has no status. `get(clientId)` has every connection's.
   */
  statusOf(clientId: string, connectionId?: string): string | undefined {
    const metas = this.members.get(clientId);
    if (!metas) return undefined;
    let meta: PresenceMeta<M> | undefined;
    if (connectionId !== undefined) meta = metas.get(connectionId);
    else for (const last of metas.values()) meta = last;
    const status = (meta as { status?: unknown } | undefined)?.status;
    return typeof status === 'string' ? status : undefined;
  }

  /**
   * Sets this connection's status in the channel (one the channel's rule lets clients set); resolves to
   * the meta the server stored. The other members get it as a `status` change with reason `client`.
   */
  setStatus(status: string): Promise<PresenceMeta<M>> {
    if (!this.sendStatus) return Promise.reject(new TypeError('This presence copy is not bound to a channel: it cannot set a status.'));
    return this.sendStatus(status);
  }

  /** Replaces the copy with the server's full state (either form), firing callbacks for what differs. */
  syncState(state: PresenceState<M> | CompactPresenceMember<M>[]): void {
    const incoming = new Map<string, Map<string, PresenceMeta<M>>>();
    for (const [clientId, entry] of Object.entries(fullState<M>(state))) {
      const metas = metasOf<M>(entry);
      if (metas.length) incoming.set(clientId, new Map(metas.map((meta) => [meta.connectionId, meta])));
    }
    // Joins before leaves: a client whose connection changed (a reconnect) never looks gone.
    for (const [clientId, metas] of incoming) for (const meta of metas.values()) this.put(clientId, meta);
    for (const [clientId, metas] of [...this.members]) {
      for (const connectionId of [...metas.keys()]) {
        if (!incoming.get(clientId)?.has(connectionId)) this.remove(clientId, connectionId);
      }
    }
    this.synced = true;
    this.events.emit('sync', this.list());
  }

  /** Applies a diff (either form); ignored (false) while the copy is not in sync, since the next state will replace it. */
  syncDiff(received: (Pick<PresenceDiff<M>, 'joins' | 'leaves' | 'updates'> & Pick<Partial<PresenceDiff<M>>, 'statuses'>) | CompactPresenceDiff<M>): boolean {
    if (!this.synced) return false;
    const diff = fullDiff<M>(received);
    for (const part of [diff.joins, diff.updates]) {
      for (const [clientId, entry] of Object.entries(part ?? {})) for (const meta of metasOf<M>(entry)) this.put(clientId, meta);
    }
    this.statusChanged(diff.statuses);
    for (const [clientId, entry] of Object.entries(diff.leaves ?? {})) {
      for (const meta of metasOf<M>(entry)) this.remove(clientId, meta.connectionId);
    }
    this.events.emit('sync', this.list());
    return true;
  }

  /** The connection was lost: keep showing the last copy, but wait for a fresh state before applying diffs. */
  markStale(): void {
    this.synced = false;
  }

  /** The channel was left: forget everyone. */
  clear(): void {
    const wasEmpty = this.members.size === 0;
    this.members.clear();
    this.synced = false;
    if (!wasEmpty) this.events.emit('sync', []);
  }

  /** The diff's status changes, for the connections the copy holds (their metas are already the new ones). */
  private statusChanged(statuses: PresenceDiff<M>['statuses']): void {
    if (statuses === null || typeof statuses !== 'object') return;
    for (const [connectionId, change] of Object.entries(statuses)) {
      if (!isStatusChange(change)) continue;
      const meta = this.members.get(change.clientId)?.get(connectionId);
      if (!meta) continue;
      const { clientId, from, to, reason } = change;
      this.events.emit('status', { clientId, connectionId, from, to, reason, meta });
    }
  }

  private put(clientId: string, meta: PresenceMeta<M>): void {
    let metas = this.members.get(clientId);
    const previous = metas?.get(meta.connectionId);
    if (previous) {
      if (sameMeta(previous, meta)) return;
      metas!.set(meta.connectionId, meta);
      this.events.emit('update', { clientId, meta, previous });
      return;
    }
    const first = !metas;
    if (!metas) this.members.set(clientId, (metas = new Map()));
    metas.set(meta.connectionId, meta);
    this.events.emit('join', { clientId, meta, first, metas: [...metas.values()] });
  }

  private remove(clientId: string, connectionId: string): void {
    const metas = this.members.get(clientId);
    const meta = metas?.get(connectionId);
    if (!metas || !meta) return;
    metas.delete(connectionId);
    const last = metas.size === 0;
    if (last) this.members.delete(clientId);
    this.events.emit('leave', { clientId, meta, last, metas: [...metas.values()] });
  }
}
