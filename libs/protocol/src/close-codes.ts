/** WebSocket close codes of the protocol (docs/protocol.md, "Close codes"). */
export const CloseCode = {
  Normal: 1000,
  GoingAway: 1001,
  /** No close frame: the connection dropped (never sent; what a client sees). */
  Abnormal: 1006,
  /** A text frame that is not valid UTF-8. */
  InvalidPayload: 1007,
  /** Repeated rate-limit breaches, or credentials that expired: do not reconnect with the same credentials. */
  PolicyViolation: 1008,
  /** An inbound frame over the server's `maxFrameBytes`. */
  TooLarge: 1009,
  InternalError: 1011,
  /** The server restarts: reconnect after a jittered wait. */
  ServiceRestart: 1012,
  HeartbeatTimeout: 4000,
  DisconnectedByApplication: 4001,
  /** More outbound bytes pending than the server's `limits.maxPendingBytes`: the client reads too slowly. */
  SlowConsumer: 4002,
  /** No frame from the client for the server's `limits.idleTimeout`. */
  IdleTimeout: 4003,
} as const;

export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];
