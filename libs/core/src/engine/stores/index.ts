export * from './broker.store';
export * from './membership.store';
export * from './presence.store';
export * from './connection.directory';
export * from './group.store';
export * from './session.store';
export * from './shared-state.store';
