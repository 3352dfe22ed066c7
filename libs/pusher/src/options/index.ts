export * from './pusher-options.interface';
export * from './pusher-options.resolver';
