export const JSON_SUBPROTOCOL = 'realtime.v1.json';

/** Event names of the protocol's own frames. */
export const ProtocolEvent = {
  Welcome: 'connection:welcome',
  Ping: 'connection:ping',
  Pong: 'connection:pong',
  State: 'connection:state',
  Resume: 'connection:resume',
  ChannelJoin: 'channel:join',
  ChannelLeave: 'channel:leave',
  ChannelPublish: 'channel:publish',
  ChannelMessage: 'channel:message',
  PresenceState: 'presence:state',
  PresenceDiff: 'presence:diff',
  PresenceUpdate: 'presence:update',
  DirectSend: 'direct:send',
  DirectMessage: 'direct:message',
  Reply: 'reply',
  Error: 'error',
} as const;

/** WebSocket close codes of the protocol (docs/protocol.md, "Close codes"). */
export const CloseCode = {
  Normal: 1000,
  GoingAway: 1001,
  Abnormal: 1006,
  PolicyViolation: 1008,
  TooLarge: 1009,
  InternalError: 1011,
  ServiceRestart: 1012,
  HeartbeatTimeout: 4000,
  DisconnectedByApplication: 4001,
  SlowConsumer: 4002,
  Idle: 4003,
} as const;
