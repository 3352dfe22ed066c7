import type { ListenerErrorHandler, Unsubscribe } from '../events/typed.emitter';
import { TypedEmitter } from '../events/typed.emitter';
import type { PresenceDiff, PresenceMeta, PresenceState } from '@nest-realtime/protocol';
import type { PresenceEvents, PresenceJoin, PresenceLeave, PresenceMember, PresenceUpdate } from './presence.events';

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
 * Callbacks fire per connection; `first`/`last` say whether the clientId arrived or is gone.
 */
export class ChannelPresence<M extends object = Record<string, unknown>> {
  /** clientId → connectionId → meta, in arrival order. */
  private readonly members = new Map<string, Map<string, PresenceMeta<M>>>();
  private readonly events: TypedEmitter<PresenceEvents<M>>;
  private synced = false;

  constructor(onListenerError: ListenerErrorHandler) {
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

  /** Replaces the copy with the server's full state, firing callbacks for what differs. */
  syncState(state: PresenceState<M>): void {
    const incoming = new Map<string, Map<string, PresenceMeta<M>>>();
    for (const [clientId, entry] of Object.entries(state ?? {})) {
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

  /** Applies a diff; ignored (false) while the copy is not in sync, since the next state will replace it. */
  syncDiff(diff: Pick<PresenceDiff<M>, 'joins' | 'leaves' | 'updates'>): boolean {
    if (!this.synced) return false;
    for (const part of [diff.joins, diff.updates]) {
      for (const [clientId, entry] of Object.entries(part ?? {})) for (const meta of metasOf<M>(entry)) this.put(clientId, meta);
    }
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
