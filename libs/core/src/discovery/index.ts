export { exploreDecoratedMethods } from './decorated-methods.explorer';
export type { DecoratedInstance, DecoratedMethod } from './decorated-methods.explorer';
