/**
 * The codes of `pusher:error` and of the close frames (pusher-js: 4000–4099 do not reconnect, 4100–4199
 * reconnect after a back-off, 4200–4299 reconnect at once; 4300–4399 are errors that keep the connection).
 */
export const PusherErrorCode = Object.freeze({
  /** The application only accepts TLS connections. */
  SslOnly: 4000,
  /** No app with the key of the path. */
  AppNotFound: 4001,
  /** The app is disabled. */
  AppDisabled: 4003,
  /** The app reached its connection limit. */
  OverConnectionQuota: 4004,
  /** The path is not `/app/{key}`. */
  PathNotFound: 4005,
  /** A `protocol` query parameter that is no version number. */
  InvalidVersion: 4006,
  /** A protocol version the server does not speak (it speaks 5 to 7). */
  UnsupportedProtocolVersion: 4007,
  /** No `protocol` query parameter. */
  NoProtocolVersion: 4008,
  /** The connection is not authorized (a user signin that failed, a connection closed by the server). */
  Unauthorized: 4009,
  /** Over capacity: the server takes no more connections now; try again after a back-off. */
  OverCapacity: 4100,
  /** Generic reconnect-immediately code. */
  GenericReconnect: 4200,
  /** No activity for too long: the client did not answer a ping. */
  PongNotReceived: 4201,
  /** Closed after a period of inactivity. */
  ClosedAfterInactivity: 4202,
  /** A frame the server could not read, an event it does not know, or one it refused. */
  BadRequest: 4300,
  /** A client event over the connection's rate limit (the event is dropped). */
  ClientEventRateLimit: 4301,
  /** A client event on a channel that takes none (public), or by a connection that is no member. */
  ClientEventRejected: 4302,
});
