export { OnChannel, OnConnection, OnConnectionState, OnPresence } from './decorators';
export type { ConnectionStateMatch, HookOptions } from './hook-options.interface';
export type {
  ChannelEvent,
  ConnectionEvent,
  ConnectionStateChange,
  DirectMessageEvent,
  PresenceEvent,
} from './realtime-events';
