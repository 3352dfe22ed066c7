export { RedisBroker } from './redis.broker';
export { RedisDirectory } from './redis.directory';
export { RedisGroups } from './redis.groups';
export { RedisMemberships } from './redis.memberships';
export { RedisPresence } from './redis.presence';
export { RedisSessions } from './redis.sessions';
export { RedisSharedState } from './redis.shared-state';
