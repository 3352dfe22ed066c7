import type { RedisConnection } from './redis.connection';

/** Connections of a dead node released at once: enough to keep a node's memory and Redis's calls bounded. */
const DROP_BATCH = 100;

/**
 * Removes connections from Redis, one slot at a time: a connection's channels (its membership and
 * presence in each, one script per channel), then its own keys and the client's and the node's indexes.
 * The indexes go after the channels, so a cleanup cut short is found and finished by the next one; each
 * step may run twice (two nodes releasing the same dead node) with the same outcome.
 */
export class ConnectionCleanup {
  constructor(private readonly redis: RedisConnection) {}

  /** Drops a connection; the clientId's connections left on every node. */
  async drop(connectionId: string, clientId?: string): Promise<number> {
    const { keys, prefix, scripts, commands } = this.redis;
    const conn = keys.connection('conn', connectionId);
    const chans = keys.connection('conn-chans', connectionId);
    const [channels, [storedClient, nodeId]] = await Promise.all([commands.smembers(chans), commands.hmget(conn, 'c', 'n')]);
    await Promise.all(channels.map((channel) => scripts.rtDropMember(keys.channel('members', channel), prefix, channel, connectionId)));
    const client = storedClient ?? clientId;
    const [left] = await Promise.all([
      client ? scripts.rtClientConnectionGone(keys.client('client-conns', client), connectionId) : 0,
      commands.del(chans, conn),
      nodeId && commands.srem(keys.node('node-conns', nodeId), connectionId),
    ]);
    return Number(left);
  }

  /** Drops every connection a node holds; `forget` also forgets the node itself (its heartbeat, its claim). */
  async dropNode(nodeId: string, forget: boolean): Promise<void> {
    const { keys, commands } = this.redis;
    const held = keys.node('node-conns', nodeId);
    const connections = await commands.smembers(held);
    for (let start = 0; start < connections.length; start += DROP_BATCH) {
      await Promise.all(connections.slice(start, start + DROP_BATCH).map((id) => this.drop(id)));
    }
    if (!forget) {
      await commands.del(held);
      return;
    }
    await commands.del(held, keys.node('reaper', nodeId), keys.node('alive', nodeId));
    await commands.hdel(keys.nodes, nodeId);
  }
}
