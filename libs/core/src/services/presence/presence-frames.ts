import { ProtocolEvent, type PresenceDiff, type PresenceState, type PresenceStateMessage } from '@nest-realtime/protocol';
import { encodeFrame } from '../../codec/frame.codec';
import { compactDiff, compactState } from './presence.forms';

/**
 * The presence versions of a diff's changes, by connectionId: `[since, version]`, the version of the
 * connection's first change merged into the diff and of its last. An engine that keeps versions counts
 * every presence write of a channel, one after another, and `presence:state` carries the version it was
 * read at. A diff carries them between nodes (on the engine's bus); members get it without them.
 */
export type PresenceVersions = Record<string, [since: number, version: number]>;

/** A diff as nodes pass it on: with the versions of its changes, when the engine keeps them. */
export interface VersionedPresenceDiff extends PresenceDiff {
  versions?: PresenceVersions;
}

const PRESENCE_START = Buffer.from(`{"event":"presence:`);
const DIFF_START = Buffer.from(`{"event":"${ProtocolEvent.PresenceDiff}","data":`);
const STATE_START = Buffer.from(`{"event":"${ProtocolEvent.PresenceState}","data":`);

const startsWith = (frame: Buffer, start: Buffer) => frame.length > start.length && frame.compare(start, 0, start.length, 0, start.length) === 0;

interface ReadDiff {
  diff: VersionedPresenceDiff;
  /** The lowest `since` of the diff's changes (Infinity without versions): a state read at a lower version holds none. */
  oldest: number;
  /** The highest `version` of its changes: a state read at it or later holds them all. */
  newest: number;
  /** The last part made for a state's version (the members that joined in one window share it), by form. */
  after?: { version: number; compact: boolean; frame: Buffer | null };
  /** The frames members get whole, in each form; encoded once, for the first member that needs it. */
  full?: Buffer;
  compact?: Buffer;
}

/** Each diff frame read once per node, however many members filter it; null for any other frame. */
const diffs = new WeakMap<Buffer, ReadDiff | null>();
/** Each state frame's message, known or read once per node, and its compact frame. */
const states = new WeakMap<Buffer, { message: PresenceStateMessage; compact?: Buffer }>();

function remember(frame: Buffer, diff: VersionedPresenceDiff): ReadDiff {
  // A loop, not Math.min(...): a diff of a large channel's window can pass the engine's argument limit.
  const known: ReadDiff = { diff, oldest: Infinity, newest: -Infinity };
  for (const connectionId in diff.versions) {
    const [since, version] = diff.versions[connectionId];
    if (since < known.oldest) known.oldest = since;
    if (version > known.newest) known.newest = version;
  }
  diffs.set(frame, known);
  return known;
}

function readDiff(frame: Buffer): ReadDiff | null {
  const known = diffs.get(frame);
  if (known !== undefined) return known;
  if (!startsWith(frame, DIFF_START)) {
    diffs.set(frame, null);
    return null;
  }
  return remember(frame, (JSON.parse(frame.toString('utf8')) as { data: VersionedPresenceDiff }).data);
}

function readState(frame: Buffer): { message: PresenceStateMessage; compact?: Buffer } | undefined {
  let known = states.get(frame);
  if (!known && startsWith(frame, STATE_START)) states.set(frame, (known = { message: (JSON.parse(frame.toString('utf8')) as { data: PresenceStateMessage }).data }));
  return known;
}

/** Whether a frame is a presence frame (`presence:state` or `presence:diff`): the others pass members' gates as they are. */
export function isPresenceFrame(frame: Buffer): boolean {
  return startsWith(frame, PRESENCE_START);
}

/** The frame of a diff this node made, known without reading it back. */
export function encodeVersionedDiff(diff: VersionedPresenceDiff): Buffer {
  const frame = encodeFrame(ProtocolEvent.PresenceDiff, diff);
  remember(frame, diff);
  return frame;
}

/** The frame of a state this node read, known without reading it back. */
export function encodeState(message: PresenceStateMessage): Buffer {
  const frame = encodeFrame(ProtocolEvent.PresenceState, message);
  states.set(frame, { message });
  return frame;
}

const encodeDiff = (diff: PresenceDiff, compact: boolean) => encodeFrame(ProtocolEvent.PresenceDiff, compact ? compactDiff(diff) : diff);

/**
 * A presence frame as a member whose `presence:state` was read at `version` gets it, in its form. A diff
 * comes without versions and without the changes the state holds (their last version at or below it), a
 * join the state holds the start of as an update; null when nothing is left. Without a `version` (the
 * state had none, or could not be read) the whole diff. A join entry loses `first` when one of its joins
 * was in the state (the member knew the clientId); a leave entry keeps `last` (the member's view still
 * ends with none). A state as it is, or compact.
 */
export function presenceFrameFor(frame: Buffer, version: number | undefined, compact: boolean): Buffer | null {
  const known = readDiff(frame);
  if (!known) {
    const state = compact ? readState(frame) : undefined;
    return state ? (state.compact ??= encodeFrame(ProtocolEvent.PresenceState, compactState(state.message))) : frame;
  }
  if (version === undefined || known.oldest > version) {
    if (compact) return (known.compact ??= encodeDiff(withoutVersions(known.diff), true));
    return (known.full ??= known.diff.versions ? encodeDiff(withoutVersions(known.diff), false) : frame);
  }
  if (known.newest <= version) return null;
  const last = known.after;
  if (last?.version === version && last.compact === compact) return last.frame;
  const diff = diffAfter(known.diff, version);
  const part = diff ? encodeDiff(diff, compact) : null;
  known.after = { version, compact, frame: part };
  return part;
}

/**
 * The version of a `presence:state` frame: a number, or null for a state without one; undefined for any
 * other frame. A state sent later (after an engine outage) replaces the member's copy and what it is at.
 */
export function presenceStateVersion(frame: Buffer): number | null | undefined {
  const version = readState(frame)?.message.version;
  if (version === undefined) return startsWith(frame, STATE_START) ? null : undefined;
  return typeof version === 'number' ? version : null;
}

function withoutVersions({ versions: _versions, ...diff }: VersionedPresenceDiff): PresenceDiff {
  return diff;
}

/** The part of a diff newer than a state read at `version`, without versions; undefined when nothing is left. */
export function diffAfter(diff: VersionedPresenceDiff, version: number): PresenceDiff | undefined {
  const versions = diff.versions ?? {};
  const after: PresenceDiff = { channel: diff.channel, joins: {}, leaves: {}, updates: {} };
  const knownClients = new Set<string>();
  let left = false;
  const keep = (into: PresenceState, clientId: string, meta: PresenceDiff['joins'][string]['metas'][number]) => {
    (into[clientId] ??= { metas: [] }).metas.push(meta);
    const status = diff.statuses?.[meta.connectionId];
    if (status && into === after.updates) (after.statuses ??= {})[meta.connectionId] = status;
    left = true;
  };
  for (const kind of ['joins', 'leaves', 'updates'] as const) {
    for (const [clientId, entry] of Object.entries(diff[kind])) {
      for (const meta of entry.metas) {
        const range = versions[meta.connectionId];
        if (!range || range[0] > version) keep(after[kind], clientId, meta);
        else if (range[1] <= version) {
          if (kind === 'joins') knownClients.add(clientId);
        } else if (kind === 'joins') {
          knownClients.add(clientId);
          keep(after.updates, clientId, meta);
        } else keep(after[kind], clientId, meta);
      }
    }
  }
  for (const [clientId, entry] of Object.entries(diff.joins)) {
    if (entry.first && after.joins[clientId] && !knownClients.has(clientId)) after.joins[clientId].first = true;
  }
  for (const [clientId, entry] of Object.entries(diff.leaves)) {
    if (entry.last && after.leaves[clientId]) after.leaves[clientId].last = true;
  }
  return left ? after : undefined;
}
