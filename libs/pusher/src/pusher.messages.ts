/** Texts a user can see: what happened and what to do. Tests reuse them. */
export const NEEDS_REALTIME_MODULE =
  'RealtimePusherModule needs RealtimeModule: import RealtimeModule.forRoot(...) in the same application, beside RealtimePusherModule.forRoot(...).';
export const APP_NOT_FOUND = (key: string) => `No app with key "${key}": connect to /app/{key} with the key of an app the server knows.`;
export const APP_DISABLED = (id: string) => `App "${id}" is disabled: its connections are refused until it is enabled again.`;
export const UNSUPPORTED_PROTOCOL = (protocol: string) => `Protocol version "${protocol}" is not supported: use protocol 7 (pusher-js 4 or later).`;
export const NO_PROTOCOL = 'No protocol version: connect with ?protocol=7.';
export const OVER_CAPACITY = 'The server takes no more connections now; reconnect after a while.';
export const MALFORMED_FRAME = 'The frame is not a JSON object {"event": "...", "data": ...}: send Pusher protocol frames.';
export const BINARY_FRAME = 'Binary frames are not accepted: send JSON text frames.';
export const UNKNOWN_EVENT = (event: string) => `Unknown event "${event}": send pusher: protocol events, or client- events on private and presence channels.`;
export const INVALID_CHANNEL = 'A channel name is 1 to 164 of A-Z a-z 0-9 _ - = @ , . ;';
export const INVALID_SIGNATURE = (channel: string) => `Invalid signature for "${channel}": sign socket_id:channel_name[:channel_data] with the app's secret.`;
export const INVALID_CHANNEL_DATA = 'channel_data must be a JSON string of {"user_id": "...", "user_info": {...}} with a user_id of 1 to 128 characters.';
export const PRESENCE_FULL = (channel: string, max: number) => `"${channel}" has ${max} members already, as many as a presence channel holds.`;
export const NOT_PRESENCE = (channel: string) =>
  `"${channel}" is no presence channel on this server: a channel rule of the application matches it without presence: true; add it there.`;
export const CLIENT_EVENT_PUBLIC = (channel: string) =>
  `Client events are only for private and presence channels you are subscribed to; "${channel}" is not one: the event was dropped.`;
export const CLIENT_EVENTS_OFF = 'Client events are turned off for this app: the event was dropped.';
export const CLIENT_EVENT_RATE = (perSecond: number) => `Over ${perSecond} client events a second: the event was dropped; send fewer.`;
export const CLIENT_EVENT_TOO_LARGE = (max: number) => `A client event carries at most ${max} bytes: the event was dropped.`;
export const FRAME_RATE = (perSecond: number) => `Over ${perSecond} frames a second: frames are dropped; send fewer.`;
export const INVALID_SIGNIN = "Invalid signin: sign socket_id::user::user_data with the app's secret; user_data is a JSON string with an id.";
