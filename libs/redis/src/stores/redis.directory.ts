import type { ConnectionDirectory, ConnectionRecord, MemoryEngine } from '@nest-realtime/core/engine';
import type { ConnectionCleanup } from '../connection.cleanup';
import type { RedisConnection } from '../redis.connection';

/** The cluster's connections in Redis, by id, by clientId and by node; this node's also in its local engine. */
export class RedisDirectory implements ConnectionDirectory {
  constructor(
    private readonly redis: RedisConnection,
    private readonly local: MemoryEngine['directory'],
    private readonly cleanup: ConnectionCleanup,
  ) {}

  async opened(record: Omit<ConnectionRecord, 'nodeId'>): Promise<void> {
    await this.local.opened(record);
    await this.redis.write('connection opened', () => writeConnection(this.redis, record));
  }

  async stateChanged(connectionId: string, state: string): Promise<void> {
    const { redis } = this;
    await this.local.stateChanged(connectionId, state);
    await redis.write('connection state', () => redis.scripts.rtConnectionState(redis.keys.connection('conn', connectionId), state));
  }

  async closed(connectionId: string, clientId: string): Promise<{ lastOfClient: boolean }> {
    const local = await this.local.closed(connectionId, clientId);
    return this.redis.read('connection closed', async () => ({ lastOfClient: (await this.cleanup.drop(connectionId, clientId)) === 0 }), () => local);
  }

  async connectionsOf(clientId: string): Promise<ConnectionRecord[]> {
    const { redis } = this;
    return redis.read(
      'connections of a client',
      async () => {
        const ids = await redis.commands.smembers(redis.keys.client('client-conns', clientId));
        const hashes = await Promise.all(ids.map((id) => redis.commands.hgetall(redis.keys.connection('conn', id))));
        const records: ConnectionRecord[] = [];
        hashes.forEach((record, index) => {
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
        const nodes = await redis.commands.hkeys(redis.keys.nodes);
        const counts = await Promise.all(nodes.map((node) => redis.commands.scard(redis.keys.node('node-conns', node))));
        return counts.reduce((sum, count) => sum + count, 0);
      },
      () => this.local.count(),
    );
  }
}

/**
 * Writes a connection of this node, in its three slots at once (the node's index is sent first: a cleanup
 * of the node finds the rest through it).
 */
export async function writeConnection(redis: RedisConnection, record: Omit<ConnectionRecord, 'nodeId'>): Promise<void> {
  const { keys, commands, nodeId } = redis;
  const { connectionId, clientId } = record;
  await Promise.all([
    commands.sadd(keys.node('node-conns', nodeId), connectionId),
    commands.hset(keys.connection('conn', connectionId), 'c', clientId, 'n', nodeId, 's', record.state, 't', record.connectedAt),
    commands.sadd(keys.client('client-conns', clientId), connectionId),
  ]);
}
