/** The HTTP API's error texts, as small factories the code and its specs share. */

/** 401: why a request's signature was refused (the SDKs show this body as the error's). */
export const AUTH_FAILED = {
  missing: (names: readonly string[]) => `Unauthorized: the request has no ${names.join(', ')}; sign it with the app's key and secret (a Pusher server SDK does).`,
  key: 'Unauthorized: auth_key is not this app\'s key; check the key the SDK is configured with.',
  version: (given: string) => `Unauthorized: auth_version must be 1.0; got "${given}".`,
  timestamp: (given: string, now: number) =>
    `Unauthorized: auth_timestamp ${given} is more than 600 s away from the server's clock (${now}); check the clock of the sending machine.`,
  bodyMd5Missing: 'Unauthorized: a request with a body needs body_md5, the hex MD5 of the body as sent.',
  bodyMd5: 'Unauthorized: body_md5 does not match the body received; sign the exact bytes sent.',
  bodyMd5Reparsed:
    "Unauthorized: body_md5 does not match the body as the application's JSON parser left it; create the Nest application with { rawBody: true } so that the exact bytes sent are checked.",
  signature: 'Unauthorized: auth_signature does not match; check the app\'s secret.',
} as const;

export const UNKNOWN_APP = (appId: string) => `Unknown app "${appId}": no app with this id is configured.`;
export const HTTP_API_OFF = 'The Pusher HTTP API is off on this server (RealtimePusherModule option httpApi: false).';
export const APP_DISABLED = (appId: string) => `Forbidden: app "${appId}" is disabled.`;

/** 400: what is wrong with the request. */
export const BAD_REQUEST = {
  duplicateParam: (name: string) => `The query parameter "${name}" appears more than once.`,
  badQuery: 'The query string is not valid percent-encoding.',
  notJson: 'The body must be a JSON object (Content-Type: application/json).',
  name: 'The event needs a "name": 1 to 200 characters, not starting with pusher: or pusher_internal:.',
  data: 'The event needs "data": a string (JSON-encode objects first).',
  channels: 'The event needs "channels" (an array of 1 or more names) or "channel" (one name).',
  channel: (channel: unknown) =>
    `Invalid channel name ${JSON.stringify(channel) ?? String(channel)}: 1 to 164 characters from A-Z a-z 0-9 _ - = @ , . ;`,
  socketId: (socketId: unknown) => `Invalid socket_id ${JSON.stringify(socketId) ?? String(socketId)}: expected digits.digits.`,
  batch: 'The body needs "batch": an array of events, each with "name", "channel" and "data".',
  batchItem: (index: number, problem: string) => `batch[${index}]: ${problem}`,
  info: (given: string, allowed: readonly string[]) => `Unknown info attribute(s) in "${given}"; allowed: ${allowed.join(', ')}.`,
  userCountNeedsPresence: 'info=user_count applies to presence channels only: add filter_by_prefix=presence- (or ask one presence channel).',
  notPresence: (channel: string) => `"${channel}" is not a presence channel: only presence channels have users.`,
} as const;

/** 413: a limit of the app was passed. */
export const TOO_LARGE = {
  data: (bytes: number, max: number) => `The event's data is ${bytes} bytes; this app takes at most ${max}.`,
  channels: (count: number, max: number) => `The event names ${count} channels; this app takes at most ${max} per event.`,
  batch: (count: number, max: number) => `The batch holds ${count} events; this app takes at most ${max} per batch.`,
  body: (max: number) => `The body is larger than ${max} bytes.`,
} as const;
