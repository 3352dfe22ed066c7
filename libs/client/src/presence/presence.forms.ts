import type { CompactPresenceDiff, PresenceDiff, PresenceMeta, PresenceState } from '@nest-realtime/protocol';

type Diff<M extends object> = Pick<PresenceDiff<M>, 'joins' | 'leaves' | 'updates'> & Pick<Partial<PresenceDiff<M>>, 'statuses'>;

/** A tuple's member as the full form has it: its meta with `connectionId` and `onlineAt`; undefined for a malformed tuple. */
function metaOf<M extends object>(tuple: unknown): [string, PresenceMeta<M>] | undefined {
  if (!Array.isArray(tuple)) return undefined;
  const [clientId, connectionId, onlineAt, meta] = tuple as unknown[];
  if (typeof clientId !== 'string' || typeof connectionId !== 'string') return undefined;
  const fields = meta !== null && typeof meta === 'object' ? meta : {};
  return [clientId, { ...fields, connectionId, onlineAt: typeof onlineAt === 'number' ? onlineAt : 0 } as PresenceMeta<M>];
}

function stateOf<M extends object>(tuples: unknown, flag?: 'first' | 'last', flagAt?: number): PresenceState<M> {
  const state: PresenceState<M> = {};
  if (!Array.isArray(tuples)) return state;
  for (const tuple of tuples) {
    const member = metaOf<M>(tuple);
    if (!member) continue;
    const entry = (state[member[0]] ??= { metas: [] });
    entry.metas.push(member[1]);
    if (flag && (tuple as unknown[])[flagAt!] === 1) entry[flag] = true;
  }
  return state;
}

/** A `presence:state`'s presences in the full form, whichever form it came in. */
export function fullState<M extends object>(presences: unknown): PresenceState<M> {
  if (Array.isArray(presences)) return stateOf<M>(presences);
  return (presences ?? {}) as PresenceState<M>;
}

/** A `presence:diff` in the full form, whichever form it came in (a leave's meta is only its connectionId). */
export function fullDiff<M extends object>(diff: Diff<M> | CompactPresenceDiff<M>): Diff<M> {
  if (!Array.isArray(diff.joins)) return diff as Diff<M>;
  const compact = diff as CompactPresenceDiff<M>;
  const leaves: PresenceState<M> = {};
  for (const tuple of Array.isArray(compact.leaves) ? compact.leaves : []) {
    const member = metaOf<M>([tuple[0], tuple[1], 0, {}]);
    if (!member) continue;
    const entry = (leaves[member[0]] ??= { metas: [] });
    entry.metas.push(member[1]);
    if (tuple[2] === 1) entry.last = true;
  }
  return { joins: stateOf<M>(compact.joins, 'first', 4), leaves, updates: stateOf<M>(compact.updates), statuses: compact.statuses };
}
