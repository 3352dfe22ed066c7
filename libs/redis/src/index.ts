export { RedisEngine } from './redis.engine';
export type { RedisClusterConfig, RedisClusterNode, RedisEngineOptions } from './redis-engine.options';
export { parseClusterNodes } from './redis-engine.options';
