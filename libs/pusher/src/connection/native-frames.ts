import { ProtocolEvent } from '@nest-realtime/protocol';
import type { PresenceState } from '@nest-realtime/protocol';
import { isPusherEventPayload } from '../channels/pusher-event-payload';
import { encodePusherFrame } from '../protocol/pusher.frames';
import { isProtocolEvent, NATIVE_MESSAGE_EVENT, PusherEvent } from '../protocol/pusher.events';
import { membersOf, type PresenceMember } from '../presence/presence-view';

/** A native frame as Pusher connections need it, decoded once for every member it goes to. */
export type NativeFrame =
  | { kind: 'ignored' }
  | MessageFrame
  | { kind: 'state'; channel: string; members: PresenceMember[] }
  | { kind: 'diff'; channel: string; joins: PresenceMember[]; leaves: PresenceMember[]; updates: PresenceMember[]; encoded: Map<string, Buffer> }
  | { kind: 'error'; code: string; message: string }
  | { kind: 'kicked'; channel: string };

export interface MessageFrame {
  kind: 'message';
  channel: string;
  /** The publisher's clientId (a Pusher connection's socket_id): that connection does not get its own client event. */
  from: string | null;
  event: string;
  data: unknown;
  userId?: string;
  /** The Pusher frame, for the Pusher channel name it was made for. */
  encoded?: { name: string; bytes: Buffer };
}

const IGNORED: NativeFrame = Object.freeze({ kind: 'ignored' });

function decode(frame: Buffer): NativeFrame {
  let parsed: { event?: unknown; data?: Record<string, unknown> };
  try {
    parsed = JSON.parse(frame.toString());
  } catch {
    return IGNORED;
  }
  const data = parsed.data;
  if (typeof data !== 'object' || data === null) return IGNORED;
  const channel = typeof data.channel === 'string' ? data.channel : '';
  switch (parsed.event) {
    case ProtocolEvent.ChannelMessage: {
      const payload = data.payload;
      const from = typeof data.from === 'string' ? data.from : null;
      // A native publish may not pass itself off as an event of the protocol.
      if (isPusherEventPayload(payload) && !isProtocolEvent(payload.event)) {
        const message: MessageFrame = { kind: 'message', channel, from, event: payload.event, data: payload.data };
        if (typeof payload.user_id === 'string') message.userId = payload.user_id;
        return message;
      }
      return { kind: 'message', channel, from, event: NATIVE_MESSAGE_EVENT, data: payload ?? null };
    }
    case ProtocolEvent.PresenceState:
      return { kind: 'state', channel, members: membersOf(data.presences as PresenceState) };
    case ProtocolEvent.PresenceDiff:
      return {
        kind: 'diff',
        channel,
        joins: membersOf(data.joins as PresenceState),
        leaves: membersOf(data.leaves as PresenceState),
        updates: membersOf(data.updates as PresenceState),
        encoded: new Map(),
      };
    case ProtocolEvent.Error:
      return { kind: 'error', code: String(data.code ?? ''), message: String(data.message ?? '') };
    case ProtocolEvent.ChannelKicked:
      return { kind: 'kicked', channel };
    default:
      return IGNORED;
  }
}

/**
 * Decodes the native frames that reach Pusher connections, once per frame: a broadcast hands the same
 * Buffer to every member in one synchronous loop, so the last frame decoded is the one asked for again.
 */
export class NativeFrames {
  private lastFrame?: Buffer;
  private lastDecoded: NativeFrame = IGNORED;

  decode(frame: Buffer): NativeFrame {
    if (frame !== this.lastFrame) {
      this.lastFrame = frame;
      this.lastDecoded = decode(frame);
    }
    return this.lastDecoded;
  }

  /** The Pusher frame of a message on channel `name` (its Pusher name), encoded once. */
  static messageBytes(message: MessageFrame, name: string): Buffer {
    if (message.encoded?.name !== name) message.encoded = { name, bytes: encodePusherFrame(message.event, message.data, name, message.userId) };
    return message.encoded.bytes;
  }

  /** `member_added` / `member_removed` of a diff, encoded once per user. */
  static memberBytes(diff: Extract<NativeFrame, { kind: 'diff' }>, name: string, event: string, user: string, info?: unknown): Buffer {
    const key = `${event}\n${name}\n${user}`;
    let bytes = diff.encoded.get(key);
    if (!bytes) {
      const data = event === PusherEvent.MemberAdded ? { user_id: user, user_info: info } : { user_id: user };
      diff.encoded.set(key, (bytes = encodePusherFrame(event, data, name)));
    }
    return bytes;
  }
}
