import { PusherEvent } from './pusher.events';

/** A string `data` as it is, anything else as its JSON: the server's frames carry `data` as a string. */
export function dataString(data: unknown): string {
  return typeof data === 'string' ? data : (JSON.stringify(data) ?? 'null');
}

/** Encodes a server frame `{event, channel?, data, user_id?}`, `data` as a string. */
export function encodePusherFrame(event: string, data: unknown, channel?: string, userId?: string): Buffer {
  const frame: Record<string, unknown> = { event };
  if (channel !== undefined) frame.channel = channel;
  frame.data = dataString(data);
  if (userId !== undefined) frame.user_id = userId;
  return Buffer.from(JSON.stringify(frame));
}

/** `pusher:error` with a code (see `PusherErrorCode`) and a message saying what to do. */
export function errorFrame(code: number | null, message: string): Buffer {
  // As Pusher sends it: `data` an object, which pusher-js reads either way.
  return Buffer.from(JSON.stringify({ event: PusherEvent.Error, data: { code, message } }));
}

/** `pusher:subscription_error` for a channel: pusher-js emits it on the channel with `{type, error, status}`. */
export function subscriptionErrorFrame(channel: string, type: string, error: string, status: number): Buffer {
  return encodePusherFrame(PusherEvent.SubscriptionError, { type, error, status }, channel);
}
