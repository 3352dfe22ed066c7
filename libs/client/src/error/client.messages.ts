import { CloseCode } from '@nest-realtime/protocol';

/** The client's error texts, as small factories so that tests can check them. */
export const ClientMessages = {
  badOption: (name: string, expected: string, got: unknown) =>
    `RealtimeClient: option "${name}" must be ${expected}; got ${describe(got)}.`,
  noWebSocket: () =>
    'RealtimeClient: this runtime has no global WebSocket. In Node pass `transport: wsTransport()` from "@nest-realtime/client/node".',
  badEventName: (event: unknown, max: number) => `An event name must be a string of 1 to ${max} characters; got ${describe(event)}.`,
  notJson: (event: string, error: unknown) =>
    `The data of "${event}" cannot be sent as JSON (${error instanceof Error ? error.message : String(error)}); nothing was sent.`,
  notMsgpack: (event: string, error: unknown) =>
    `The data of "${event}" cannot be sent as MessagePack (${error instanceof Error ? error.message : String(error)}); nothing was sent.`,
  queueFull: (limit: number) =>
    `The send queue is full (${limit} frames wait for the connection); this frame was not queued. ` +
    'Wait for the "connected" state before sending more, or raise the "maxQueuedFrames" option.',
  timeout: (event: string, ms: number) =>
    `No reply to "${event}" within ${ms} ms; the server may be busy or the connection silently broken. It may or may not have been applied.`,
  lostInFlight: (event: string) =>
    `The connection was lost before the reply to "${event}" came; it may or may not have been applied.`,
  disconnectedByCall: () => 'disconnect() was called; call connect() to connect again.',
  closedByCall: () => 'close() was called: this client is finished; create a new one to connect again.',
  unauthorized: (status: number) => `The server refused the credentials (HTTP ${status}); get a new token and call connect() again.`,
  forbidden: () => 'The server refused the connection (HTTP 403): the origin or the user is not allowed. The client does not retry.',
  noToken: () => 'The token function returned no token; call connect() once the user has credentials again.',
  tokenFailed: (error: unknown) => `The token function failed (${error instanceof Error ? error.message : String(error)}); retrying with backoff.`,
  policy: (reason: string) => `The server closed the connection for a policy reason (${CloseCode.PolicyViolation}${reason ? `: ${reason}` : ''}); renew the credentials, then call connect().`,
  kicked: (reason: string) =>
    `The application disconnected this client (${CloseCode.DisconnectedByApplication}${reason ? `: ${reason}` : ''}); it does not reconnect by itself: call connect() to come back.`,
  idle: (reason: string) =>
    `The server closed the idle connection (${CloseCode.IdleTimeout}${reason ? `: ${reason}` : ''}); call connect() when the user is active again.`,
  serverClosed: (reason: string) => `The server closed the connection normally (${CloseCode.Normal}${reason ? `: ${reason}` : ''}); call connect() to connect again.`,
  gaveUp: (attempts: number) => `Gave up after ${attempts} failed connection attempts in a row; call connect() to try again.`,
  openFailed: (error: unknown) => `The WebSocket could not be opened (${error instanceof Error ? error.message : String(error)}); retrying with backoff.`,
  noWelcome: (ms: number) => `The server sent no connection:welcome within ${ms} ms of the upgrade; reconnecting.`,
  badErrorBody: () => 'The server answered with an error that has no valid code.',
  noConnectionToRenew: () =>
    'reauth() renews the credentials of the connection that is up, and none is: the next connection authenticates ' +
    'with the "token" option (give it a function to fetch a fresh token before each attempt).',
  badToken: (token: unknown) => `A token must be a non-empty string; got ${describe(token)}.`,
  secondWelcome: () => 'The server sent a second connection:welcome on a connection that is up; it was ignored.',
  badWelcome: () => 'The server\'s connection:welcome has no connectionId and clientId; reconnecting.',
  badHeartbeat: () => 'The server\'s connection:heartbeat has no valid interval and timeout (numbers, timeout > interval); keeping the ones in force.',
  badFrame: (wire: string | Uint8Array) =>
    typeof wire === 'string'
      ? `The server sent a frame that is not a JSON object with an event: ${wire.slice(0, 80)}`
      : `The server sent a binary frame of ${wire.length} bytes that is not a MessagePack map with an event.`,
  notJoined: (channel: string) => `Join "${channel}" before publishing to it or using its presence or shared state.`,
  cancelledJoin: (channel: string) => `leave() was called before the join of "${channel}" completed.`,
  listenerFailed: (event: string) => `A listener of "${event}" threw; the client carries on.`,
  badChannelName: (name: unknown) => `A channel name must be a non-empty string; got ${describe(name)}.`,
  badMeta: (meta: unknown) => `A meta must be a plain object; got ${describe(meta)}.`,
  badStatus: (status: unknown) => `A presence status must be a non-empty string such as "away"; got ${describe(status)}.`,
  badGroupName: (name: unknown) => `A group name must be a non-empty string; got ${describe(name)}.`,
  badStateKey: (key: unknown) => `A shared-state key must be a non-empty string; got ${describe(key)}.`,
  badStateValue: (key: string) => `The value of "${key}" is undefined, which JSON cannot carry; to remove the key, call delete("${key}").`,
  stateGap: (scope: string, held: number, got: number) =>
    `The shared state of "${scope}" jumped from revision ${held} to ${got}: the changes between were never received. The copy may differ from the server's until the next snapshot (a rejoin brings one).`,
};

function describe(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
