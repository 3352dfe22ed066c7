import { randomBytes } from 'crypto';
import { ProtocolEvent } from '@nest-realtime/protocol';
import type { StreamPosition } from './stores';

/** How every `channel:message` frame begins: the engines splice message frames as text after it. */
export const MESSAGE_PREFIX = `{"event":"${ProtocolEvent.ChannelMessage}","data":`;

/**
 * The `channel:message` frame of a message kept in history: `body` (the JSON object of its data) with
 * its offset and epoch added at the end. Spliced as text, so an engine that assigns the offset where the
 * message is stored (a Redis script) builds the very same bytes.
 */
export function historyFrame(body: string, position: StreamPosition): Buffer {
  return Buffer.from(`${MESSAGE_PREFIX}${body.slice(0, -1)},"offset":${position.offset},"epoch":"${position.epoch}"}}`);
}

/** A `channel:message` frame without offset (a channel that keeps no history, or a history that cannot be written). */
export function plainMessageFrame(body: string): Buffer {
  return Buffer.from(`${MESSAGE_PREFIX}${body}}`);
}

/** A new epoch: random, short, and safe to splice into JSON. */
export function newEpoch(): string {
  return randomBytes(6).toString('hex');
}
