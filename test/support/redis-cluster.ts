export { RedisCluster } from '../../tools/redis-cluster';
