import type { GroupStore } from '@nest-realtime/core/engine';
import type { RedisConnection } from '../redis.connection';

/** Groups live in Redis only, so they need it. */
export class RedisGroups implements GroupStore {
  constructor(private readonly redis: RedisConnection) {}

  async add(group: string, clientId: string): Promise<boolean> {
    const { redis } = this;
    return redis.need('add to a group', async () => {
      const [added] = await redis.exec(redis.commands.multi().sadd(`${redis.prefix}group:${group}`, clientId).sadd(`${redis.prefix}client-groups:${clientId}`, group));
      return Number(added) === 1;
    });
  }

  async remove(group: string, clientId: string): Promise<boolean> {
    const { redis } = this;
    return redis.need('remove from a group', async () => {
      const [removed] = await redis.exec(redis.commands.multi().srem(`${redis.prefix}group:${group}`, clientId).srem(`${redis.prefix}client-groups:${clientId}`, group));
      return Number(removed) === 1;
    });
  }

  members(group: string): Promise<string[]> {
    return this.redis.need('read a group', async () => (await this.redis.commands.smembers(`${this.redis.prefix}group:${group}`)).sort());
  }

  groupsOf(clientId: string): Promise<string[]> {
    return this.redis.need('read groups', async () => (await this.redis.commands.smembers(`${this.redis.prefix}client-groups:${clientId}`)).sort());
  }
}
