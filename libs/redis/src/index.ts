export { RedisEngine } from './redis.engine';
export type { RedisEngineOptions } from './redis-engine.options';
