/** Event names of the protocol's own frames (docs/protocol.md). */
export const ProtocolEvent = {
  Welcome: 'connection:welcome',
  Ping: 'connection:ping',
  Pong: 'connection:pong',
  Heartbeat: 'connection:heartbeat',
  State: 'connection:state',
  Reauth: 'connection:reauth',
  Resume: 'connection:resume',
  ChannelJoin: 'channel:join',
  ChannelLeave: 'channel:leave',
  ChannelPublish: 'channel:publish',
  ChannelMessage: 'channel:message',
  ChannelKicked: 'channel:kicked',
  ChannelGap: 'channel:gap',
  PresenceState: 'presence:state',
  PresenceDiff: 'presence:diff',
  PresenceUpdate: 'presence:update',
  PresenceList: 'presence:list',
  StateSet: 'state:set',
  StateDelete: 'state:delete',
  StateSnapshot: 'state:snapshot',
  StateDiff: 'state:diff',
  DirectSend: 'direct:send',
  DirectMessage: 'direct:message',
  Reply: 'reply',
  Error: 'error',
} as const;

export type ProtocolEventName = (typeof ProtocolEvent)[keyof typeof ProtocolEvent];

/** Every event the server sends of its own; a client must handle each (see `ServerEventPayloads`). */
export const SERVER_EVENTS = [
  ProtocolEvent.Welcome,
  ProtocolEvent.Pong,
  ProtocolEvent.Heartbeat,
  ProtocolEvent.State,
  ProtocolEvent.ChannelMessage,
  ProtocolEvent.ChannelKicked,
  ProtocolEvent.ChannelGap,
  ProtocolEvent.PresenceState,
  ProtocolEvent.PresenceDiff,
  ProtocolEvent.StateSnapshot,
  ProtocolEvent.StateDiff,
  ProtocolEvent.DirectMessage,
  ProtocolEvent.Reply,
  ProtocolEvent.Error,
] as const;

export type ServerEventName = (typeof SERVER_EVENTS)[number];

/** Every protocol event a client may send (each answers with a `reply` when it carries a `ref`). */
export const CLIENT_EVENTS = [
  ProtocolEvent.Ping,
  ProtocolEvent.State,
  ProtocolEvent.Reauth,
  ProtocolEvent.Resume,
  ProtocolEvent.ChannelJoin,
  ProtocolEvent.ChannelLeave,
  ProtocolEvent.ChannelPublish,
  ProtocolEvent.PresenceUpdate,
  ProtocolEvent.PresenceList,
  ProtocolEvent.StateSet,
  ProtocolEvent.StateDelete,
  ProtocolEvent.DirectSend,
] as const;

export type ClientEventName = (typeof CLIENT_EVENTS)[number];

/** Event names that begin with these are the protocol's: an application handler of such a name is never called. */
export const RESERVED_EVENT_PREFIXES = ['connection:', 'channel:', 'presence:', 'state:', 'direct:', 'system:'] as const;

export function isReservedEvent(event: string): boolean {
  return RESERVED_EVENT_PREFIXES.some((prefix) => event.startsWith(prefix));
}
