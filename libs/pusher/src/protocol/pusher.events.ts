/** The event names of the Pusher Channels protocol (version 7). */
export const PusherEvent = Object.freeze({
  ConnectionEstablished: 'pusher:connection_established',
  Error: 'pusher:error',
  Ping: 'pusher:ping',
  Pong: 'pusher:pong',
  Subscribe: 'pusher:subscribe',
  Unsubscribe: 'pusher:unsubscribe',
  Signin: 'pusher:signin',
  SigninSuccess: 'pusher:signin_success',
  SubscriptionError: 'pusher:subscription_error',
  SubscriptionSucceeded: 'pusher_internal:subscription_succeeded',
  MemberAdded: 'pusher_internal:member_added',
  MemberRemoved: 'pusher_internal:member_removed',
});

/** The event a native publish reaches Pusher clients as when its payload is not `{event, data}`. */
export const NATIVE_MESSAGE_EVENT = 'message';

/** Client events start with this; only members of private and presence channels may send them. */
export const CLIENT_EVENT_PREFIX = 'client-';

/** Events of the protocol itself: no publish, native or HTTP, may pass one off to Pusher clients. */
export function isProtocolEvent(event: string): boolean {
  return event.startsWith('pusher:') || event.startsWith('pusher_internal:');
}

/** One frame of the protocol, as it goes on the wire: `data` is a JSON string for the server's frames. */
export interface PusherFrame {
  event: string;
  channel?: string;
  data?: unknown;
  user_id?: string;
}
