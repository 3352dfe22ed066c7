/** WebSocket close codes used by the protocol (see docs/protocol.md). */
export const CloseCode = {
  Normal: 1000,
  GoingAway: 1001,
  PolicyViolation: 1008,
  TooLarge: 1009,
  InternalError: 1011,
  ServiceRestart: 1012,
  HeartbeatTimeout: 4000,
  DisconnectedByApplication: 4001,
} as const;

export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];
