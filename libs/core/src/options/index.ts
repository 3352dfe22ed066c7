export type * from './realtime-options.interface';
export type * from './security-options.interface';
export type * from './drain-options.interface';
export type * from './hooks-options.interface';
