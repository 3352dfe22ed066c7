export { OnChannel } from './on-channel.decorator';
export { OnConnection } from './on-connection.decorator';
export { OnConnectionState } from './on-connection-state.decorator';
export { OnPresence } from './on-presence.decorator';
