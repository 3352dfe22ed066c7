/** The payload of a native `channel:message` that carries a Pusher event. */
export interface PusherEventPayload {
  event: string;
  data: unknown;
  /** The sender's user_id, for a client event on a presence channel. */
  user_id?: string;
}

/** Whether a native payload is a Pusher event (`{event, data}`), as Pusher clients get it. */
export function isPusherEventPayload(payload: unknown): payload is PusherEventPayload {
  return (
    typeof payload === 'object' &&
    payload !== null &&
    !Array.isArray(payload) &&
    typeof (payload as { event?: unknown }).event === 'string' &&
    'data' in payload
  );
}
