import type {
  CompactPresenceDiff,
  CompactPresenceLeave,
  CompactPresenceMember,
  CompactPresenceState,
  PresenceDiff,
  PresenceMeta,
  PresenceState,
  PresenceStateMessage,
} from '@nest-realtime/protocol';

function member(clientId: string, { connectionId, onlineAt, ...meta }: PresenceMeta): CompactPresenceMember {
  return [clientId, connectionId, onlineAt, meta];
}

function members(state: PresenceState): CompactPresenceMember[] {
  const list: CompactPresenceMember[] = [];
  for (const [clientId, entry] of Object.entries(state)) for (const meta of entry.metas) list.push(member(clientId, meta));
  return list;
}

/** A `presence:state` in the compact form: the same members, in the same order. */
export function compactState({ channel, presences, version }: PresenceStateMessage): CompactPresenceState {
  const compact: CompactPresenceState = { channel, presences: members(presences) };
  if (version !== undefined) compact.version = version;
  return compact;
}

/** A `presence:diff` in the compact form: `first` on a clientId's first join tuple, `last` on its last leave tuple. */
export function compactDiff({ channel, joins, leaves, updates, statuses }: PresenceDiff): CompactPresenceDiff {
  const compact: CompactPresenceDiff = { channel, joins: [], leaves: [], updates: members(updates) };
  for (const [clientId, entry] of Object.entries(joins)) {
    entry.metas.forEach((meta, index) => {
      const join = member(clientId, meta);
      compact.joins.push(entry.first && index === 0 ? [...join, 1] : join);
    });
  }
  for (const [clientId, entry] of Object.entries(leaves)) {
    entry.metas.forEach((meta, index) => {
      const leave: CompactPresenceLeave = entry.last && index === entry.metas.length - 1 ? [clientId, meta.connectionId, 1] : [clientId, meta.connectionId];
      compact.leaves.push(leave);
    });
  }
  if (statuses) compact.statuses = statuses;
  return compact;
}
