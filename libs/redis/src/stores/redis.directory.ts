import type { ConnectionDirectory, ConnectionRecord, MemoryEngine } from '@nest-realtime/core/engine';
import type { RedisConnection } from '../redis.connection';

/** The cluster's connections in Redis, by id, by clientId and by node; this node's also in its local engine. */
export class RedisDirectory implements ConnectionDirectory {
  constructor(
    private readonly redis: RedisConnection,
    private readonly local: MemoryEngine['directory'],
  ) {}

  async opened(record: Omit<ConnectionRecord, 'nodeId'>): Promise<void> {
    const { redis } = this;
    await this.local.opened(record);
    await redis.write('connection opened', () =>
      redis.scripts.rtConnectionOpened(redis.prefix, redis.nodeId, record.connectionId, record.clientId, record.state, record.connectedAt),
    );
  }

  async stateChanged(connectionId: string, state: string): Promise<void> {
    const { redis } = this;
    await this.local.stateChanged(connectionId, state);
    await redis.write('connection state', () => redis.scripts.rtConnectionState(redis.prefix, connectionId, state));
  }

  async closed(connectionId: string, clientId: string): Promise<{ lastOfClient: boolean }> {
    const { redis } = this;
    const local = await this.local.closed(connectionId, clientId);
    return redis.read(
      'connection closed',
      async () => ({ lastOfClient: (await redis.scripts.rtConnectionClosed(redis.prefix, connectionId, clientId)) === 0 }),
      () => local,
    );
  }

  async connectionsOf(clientId: string): Promise<ConnectionRecord[]> {
    const { redis } = this;
    return redis.read(
      'connections of a client',
      async () => {
        const ids = await redis.commands.smembers(`${redis.prefix}client-conns:${clientId}`);
        const pipeline = redis.commands.pipeline();
        ids.forEach((id) => pipeline.hgetall(`${redis.prefix}conn:${id}`));
        const records: ConnectionRecord[] = [];
        (await redis.exec(pipeline)).forEach((hash, index) => {
          const record = hash as Record<string, string>;
          if (record.n === undefined) return;
          records.push({ connectionId: ids[index], clientId: record.c, nodeId: record.n, state: record.s, connectedAt: Number(record.t) });
        });
        return records.sort((a, b) => a.connectedAt - b.connectedAt || a.connectionId.localeCompare(b.connectionId));
      },
      () => this.local.connectionsOf(clientId),
    );
  }

  async count(): Promise<number> {
    const { redis } = this;
    return redis.read(
      'connection count',
      async () => {
        const nodes = await redis.commands.hkeys(`${redis.prefix}nodes`);
        const pipeline = redis.commands.pipeline();
        nodes.forEach((node) => pipeline.scard(`${redis.prefix}node-conns:${node}`));
        return (await redis.exec(pipeline)).reduce<number>((sum, count) => sum + Number(count), 0);
      },
      () => this.local.count(),
    );
  }
}
