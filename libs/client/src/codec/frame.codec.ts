import { RealtimeError } from '../error/realtime.error';
import { ClientMessages } from '../error/client.messages';
import { type Frame, MAX_EVENT_LENGTH } from '@nest-realtime/protocol';

/** Throws `invalid` for an event name the server would refuse. */
export function assertEventName(event: unknown): asserts event is string {
  if (typeof event !== 'string' || event.length === 0 || event.length > MAX_EVENT_LENGTH) {
    throw new RealtimeError('invalid', ClientMessages.badEventName(event, MAX_EVENT_LENGTH));
  }
}

/** Encodes a frame as JSON text; throws `invalid` (and sends nothing) when the data cannot be JSON. */
export function encodeFrame(event: string, data?: unknown, ref?: string): string {
  const frame: Frame = ref === undefined ? { event, data } : { event, data, ref };
  try {
    return JSON.stringify(frame);
  } catch (error) {
    throw new RealtimeError('invalid', ClientMessages.notJson(event, error));
  }
}

/** Reads a frame from the server; null when the text is not a frame object with an event. */
export function decodeFrame(text: string): Frame | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  const { event, data, ref } = value as Record<string, unknown>;
  if (typeof event !== 'string' || event.length === 0) return null;
  return typeof ref === 'string' ? { event, data, ref } : { event, data };
}
