import { encodeBusMessage } from './redis.bus';
import type { RedisConnection } from './redis.connection';

/**
 * Frames for one client or one connection: looked up in the directory, then published on the bus of each
 * node that holds one (a node's bus lives in the node's slot, not the client's). A frame of one sender
 * reaches a connection in the order sent.
 */
export class NodeRoutes {
  constructor(private readonly redis: RedisConnection) {}

  /** The clientId's connections on every node. */
  async toClient(clientId: string, frame: Buffer): Promise<number> {
    const { keys, commands } = this.redis;
    const connections = await commands.smembers(keys.client('client-conns', clientId));
    const nodes = await Promise.all(connections.map((id) => commands.hget(keys.connection('conn', id), 'n')));
    const message = encodeBusMessage('c', clientId, frame);
    await Promise.all([...new Set(nodes)].map((node) => node && this.redis.publish(keys.node('bus', node), message)));
    return connections.length;
  }

  /** Whether the connection exists somewhere. */
  async toConnection(connectionId: string, frame: Buffer): Promise<boolean> {
    const node = await this.redis.commands.hget(this.redis.keys.connection('conn', connectionId), 'n');
    if (!node) return false;
    await this.redis.publish(this.redis.keys.node('bus', node), encodeBusMessage('k', connectionId, frame));
    return true;
  }
}
