export * from './protocol.events';
export * from './protocol.limits';
export * from './close-codes';
export * from './error-codes';
export * from './frame.types';
export * from './session.types';
export * from './presence.types';
export * from './message.types';
export type { ServerEventPayloads } from './server-events';
