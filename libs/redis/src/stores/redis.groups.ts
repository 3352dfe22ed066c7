import type { GroupStore } from '@nest-realtime/core/engine';
import type { RedisConnection } from '../redis.connection';

/** Groups live in Redis only, so they need it: a group's clients in the group's slot, a client's groups in the client's. */
export class RedisGroups implements GroupStore {
  constructor(private readonly redis: RedisConnection) {}

  async add(group: string, clientId: string): Promise<boolean> {
    const { redis } = this;
    return redis.need('add to a group', async () => {
      const [added] = await Promise.all([redis.commands.sadd(redis.keys.group(group), clientId), redis.commands.sadd(redis.keys.client('client-groups', clientId), group)]);
      return added === 1;
    });
  }

  async remove(group: string, clientId: string): Promise<boolean> {
    const { redis } = this;
    return redis.need('remove from a group', async () => {
      const [removed] = await Promise.all([redis.commands.srem(redis.keys.group(group), clientId), redis.commands.srem(redis.keys.client('client-groups', clientId), group)]);
      return removed === 1;
    });
  }

  members(group: string): Promise<string[]> {
    return this.redis.need('read a group', async () => (await this.redis.commands.smembers(this.redis.keys.group(group))).sort());
  }

  groupsOf(clientId: string): Promise<string[]> {
    return this.redis.need('read groups', async () => (await this.redis.commands.smembers(this.redis.keys.client('client-groups', clientId))).sort());
  }
}
