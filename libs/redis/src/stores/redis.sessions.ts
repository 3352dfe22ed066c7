import type { MemoryEngine, ResumeSession, SessionStore } from '@nest-realtime/core/engine';
import type { RedisConnection } from '../redis.connection';

/** Sessions in Redis, for any node to take; in the local engine while Redis is away. */
export class RedisSessions implements SessionStore {
  constructor(
    private readonly redis: RedisConnection,
    private readonly local: MemoryEngine['sessions'],
  ) {}

  async save(token: string, session: ResumeSession, ttl: number): Promise<void> {
    if (this.redis.up) {
      try {
        await this.redis.commands.set(`${this.redis.prefix}session:${token}`, JSON.stringify(session), 'PX', ttl);
        return;
      } catch (error) {
        this.redis.failed('save a session', error);
      }
    }
    await this.local.save(token, session, ttl);
  }

  async take(token: string): Promise<ResumeSession | undefined> {
    const stored = await this.redis.read('take a session', () => this.redis.commands.getdel(`${this.redis.prefix}session:${token}`), () => null);
    return stored ? (JSON.parse(stored) as ResumeSession) : this.local.take(token);
  }
}
