export * from './presence-members';
export * from './presence-view';
