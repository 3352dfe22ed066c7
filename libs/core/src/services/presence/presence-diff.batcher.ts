import type { PresenceWrite } from '../../engine/realtime-engine.interface';
import type { VersionedPresenceDiff } from './presence-frames';
import type { PresenceMeta, PresenceState, PresenceStatusChange } from '@nest-realtime/protocol';

type ChangeKind = 'join' | 'leave' | 'update';

interface PendingChange {
  kind: ChangeKind;
  clientId: string;
  meta: PresenceMeta;
  /** The net status change of the batch: `from` of its first change, `to` and `reason` of its last. */
  status?: PresenceStatusChange;
  /** The presence versions of the first and the last change merged here, when the engine keeps them. */
  versions?: [number, number];
}

interface PendingBatch {
  changes: Map<string, PendingChange>;
  /** clientId → meta count before the batch's first change and after its last. */
  counts: Map<string, { before: number; after: number }>;
  timer?: NodeJS.Timeout;
}

/** The net effect of two changes of one connection within a batch; undefined when they cancel out. */
function merge(previous: ChangeKind, next: ChangeKind): ChangeKind | undefined {
  if (previous === 'join') return next === 'leave' ? undefined : 'join';
  if (previous === 'leave') return next === 'leave' ? 'leave' : 'update';
  return next === 'leave' ? 'leave' : 'update';
}

/** Two status changes of one connection as one; undefined when it is back where it was. */
function mergeStatus(previous: PresenceStatusChange | undefined, next: PresenceStatusChange | undefined): PresenceStatusChange | undefined {
  if (!previous || !next) return previous ?? next;
  if (previous.from === next.to) return undefined;
  return { clientId: next.clientId, from: previous.from, to: next.to, reason: next.reason };
}

/**
 * Whether a versioned change may not merge into the pending one: a join and a leave of one connection go in
 * diffs of their own, so that a member whose state was read between them gets the second (no cancelling).
 */
function crossesPresence(previous: PendingChange | undefined, kind: ChangeKind, write: PresenceWrite): boolean {
  if (!previous || write.version === undefined) return false;
  return (previous.kind === 'leave' && kind !== 'leave') || (previous.kind === 'join' && kind === 'leave');
}

function add(state: PresenceState, change: PendingChange): void {
  (state[change.clientId] ??= { metas: [] }).metas.push(change.meta);
}

/**
 * Collects the presence changes of each channel for a short window and hands them on as one diff, so a
 * storm of joins costs a frame per window instead of a frame per join.
 */
export class PresenceDiffBatcher {
  private readonly batches = new Map<string, PendingBatch>();

  /** `cancelled`: a channel's batch ended with no net change (joins and leaves that cancelled out). */
  constructor(
    private readonly windowMs: number,
    private readonly deliver: (diff: VersionedPresenceDiff) => void,
    private readonly cancelled: (channel: string) => void = () => undefined,
  ) {}

  /** `status`: the write changed the connection's status (an update only). */
  push(channel: string, kind: ChangeKind, write: PresenceWrite, status?: PresenceStatusChange): void {
    if (crossesPresence(this.batches.get(channel)?.changes.get(write.connectionId), kind, write)) this.flush(channel);
    let batch = this.batches.get(channel);
    if (!batch) this.batches.set(channel, (batch = { changes: new Map(), counts: new Map() }));
    const meta = write.meta as PresenceMeta;
    const previous = batch.changes.get(write.connectionId);
    const merged = previous ? merge(previous.kind, kind) : kind;
    if (merged) {
      const change: PendingChange = { kind: merged, clientId: write.clientId, meta };
      // A join or a leave carries the status in its meta; the others' members knew the status before.
      const net = merged === 'update' ? mergeStatus(previous?.status, status) : undefined;
      if (net) change.status = net;
      if (write.version !== undefined) change.versions = [previous?.versions?.[0] ?? write.version, write.version];
      batch.changes.set(write.connectionId, change);
    } else {
      batch.changes.delete(write.connectionId);
    }
    const counts = batch.counts.get(write.clientId);
    if (counts) counts.after = write.countAfter;
    else batch.counts.set(write.clientId, { before: write.countBefore, after: write.countAfter });

    if (this.windowMs === 0) this.flush(channel);
    else batch.timer ??= setTimeout(() => this.flush(channel), this.windowMs);
  }

  /** Sends the pending diff of a channel now. */
  flush(channel: string): void {
    const batch = this.batches.get(channel);
    if (!batch) return;
    this.batches.delete(channel);
    clearTimeout(batch.timer);
    if (batch.changes.size === 0) return this.cancelled(channel);
    const diff: VersionedPresenceDiff = { channel, joins: {}, leaves: {}, updates: {} };
    for (const [connectionId, change] of batch.changes) {
      add(change.kind === 'join' ? diff.joins : change.kind === 'leave' ? diff.leaves : diff.updates, change);
      if (change.status) (diff.statuses ??= {})[connectionId] = change.status;
      if (change.versions) (diff.versions ??= {})[connectionId] = change.versions;
    }
    for (const [clientId, { before, after }] of batch.counts) {
      if (before === 0 && after > 0 && diff.joins[clientId]) diff.joins[clientId].first = true;
      if (before > 0 && after === 0 && diff.leaves[clientId]) diff.leaves[clientId].last = true;
    }
    this.deliver(diff);
  }

  flushAll(): void {
    for (const channel of [...this.batches.keys()]) this.flush(channel);
  }

  get pendingChannels(): number {
    return this.batches.size;
  }
}
