/** Event names of the protocol's own frames. Application events must not use these prefixes. */
export const ProtocolEvent = {
  Welcome: 'connection:welcome',
  Ping: 'connection:ping',
  Pong: 'connection:pong',
  State: 'connection:state',
  Reauth: 'connection:reauth',
  Resume: 'connection:resume',
  ChannelJoin: 'channel:join',
  ChannelLeave: 'channel:leave',
  ChannelPublish: 'channel:publish',
  ChannelMessage: 'channel:message',
  ChannelKicked: 'channel:kicked',
  PresenceState: 'presence:state',
  PresenceDiff: 'presence:diff',
  PresenceUpdate: 'presence:update',
  PresenceList: 'presence:list',
  DirectSend: 'direct:send',
  DirectMessage: 'direct:message',
  Reply: 'reply',
  Error: 'error',
} as const;

export const RESERVED_EVENT_PREFIXES = ['connection:', 'channel:', 'presence:', 'direct:', 'system:'] as const;

export function isReservedEvent(event: string): boolean {
  return RESERVED_EVENT_PREFIXES.some((prefix) => event.startsWith(prefix));
}
