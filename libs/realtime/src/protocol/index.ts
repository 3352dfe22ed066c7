export * from './close-codes';
export * from './frame.codec';
export * from './presence-state';
export * from './protocol-error';
export * from './protocol.events';
