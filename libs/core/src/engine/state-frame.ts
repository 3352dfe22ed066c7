import { ProtocolEvent, type StateAddress } from '@nest-realtime/protocol';
import { encodeFrame } from '../codec/frame.codec';
import type { StateChange, StateSnapshotRead } from './stores';

/** How every `state:diff` frame begins: an engine that builds the frame where the change is made (a Redis script) splices after it. */
export const STATE_DIFF_PREFIX = `{"event":"${ProtocolEvent.StateDiff}","data":`;

/**
 * The `state:diff` frame of a change, for one address: its data is the address (`channel`, `scope`,
 * `group`, in that order, those set) followed by the change's own fields, in the order of `StateChange`.
 */
export function stateDiffFrame(address: StateAddress, change: StateChange): Buffer {
  const data: Record<string, unknown> = addressOf(address);
  data.revision = change.revision;
  data.set = change.set;
  data.removed = change.removed;
  if (change.expired) data.expired = change.expired;
  return encodeFrame(ProtocolEvent.StateDiff, data);
}

/** The `state:snapshot` frame of a whole state, for one address. */
export function stateSnapshotFrame(address: StateAddress, snapshot: StateSnapshotRead): Buffer {
  const data: Record<string, unknown> = addressOf(address);
  data.entries = snapshot.entries;
  data.revision = snapshot.revision;
  data.epoch = snapshot.epoch;
  return encodeFrame(ProtocolEvent.StateSnapshot, data);
}

function addressOf({ channel, scope, group }: StateAddress): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  if (channel !== undefined) data.channel = channel;
  if (scope !== undefined && scope !== channel) data.scope = scope;
  if (group !== undefined) data.group = group;
  return data;
}
