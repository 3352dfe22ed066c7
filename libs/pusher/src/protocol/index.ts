export * from './pusher.events';
export * from './pusher.error-codes';
export * from './channel-names';
export * from './pusher.frames';
