/** WebSocket close codes used by the protocol (see docs/protocol.md). */
export const CloseCode = {
  Normal: 1000,
  GoingAway: 1001,
  /** A text frame that is not valid UTF-8 (`ws` closes with it). */
  InvalidPayload: 1007,
  /** Repeated rate-limit breaches, or credentials that expired. */
  PolicyViolation: 1008,
  TooLarge: 1009,
  InternalError: 1011,
  ServiceRestart: 1012,
  HeartbeatTimeout: 4000,
  DisconnectedByApplication: 4001,
  /** More outbound bytes pending than `limits.maxPendingBytes`: the client reads too slowly. */
  SlowConsumer: 4002,
  /** No frame from the client for `limits.idleTimeout`. */
  IdleTimeout: 4003,
} as const;

export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];
