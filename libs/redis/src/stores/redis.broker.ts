import type { Broker, HistoryOptions, HistoryRead, MemoryEngine, PublishedMessage, StreamPosition } from '@nest-realtime/core/engine';
import { newEpoch, plainMessageFrame } from '@nest-realtime/core/engine';
import type { BusRecovery } from '../bus.recovery';
import type { NodeRoutes } from '../node.routes';
import type { RedisConnection } from '../redis.connection';

/**
 * A publish runs a script that publishes the frame on the channel's bus, to which every node holding
 * members of the channel subscribed (the publishing node's too), so every member on every node gets it
 * once, in the one order Redis ran the publishes in. History lives in Redis Streams, with the offset and
 * epoch in a hash beside it, all in the channel's slot. While Redis is unreachable, frames reach this
 * node's members only (messages without offsets).
 */
export class RedisBroker implements Broker {
  private readonly scripts: RedisConnection['scripts'];
  private readonly prefix: string;

  constructor(
    private readonly redis: RedisConnection,
    private readonly local: MemoryEngine['broker'],
    private readonly historyMetaTtl: number,
    private readonly recovery: BusRecovery,
    private readonly routes: NodeRoutes,
  ) {
    this.scripts = redis.scripts;
    this.prefix = redis.prefix;
  }

  async publish(channel: string, frame: Buffer): Promise<number> {
    if (!this.redis.up) return this.local.deliver(channel, frame);
    try {
      return Number(await this.scripts.rtPublish(this.members(channel), this.prefix, channel, frame));
    } catch (error) {
      this.redis.failed('publish', error);
      return this.local.deliver(channel, frame);
    }
  }

  async publishLocal(channel: string, frame: Buffer): Promise<number> {
    return this.local.deliver(channel, frame);
  }

  async publishMessage(channel: string, body: string, history: HistoryOptions): Promise<PublishedMessage> {
    if (this.redis.up) {
      try {
        const [offset, epoch, delivered] = (await this.scripts.rtPublishMessage(
          this.members(channel),
          this.prefix,
          channel,
          body,
          history.size,
          history.ttl,
          newEpoch(),
          this.historyMetaTtl,
        )) as [number, string, number];
        return { delivered: Number(delivered), position: { offset: Number(offset), epoch } };
      } catch (error) {
        this.redis.failed('publish', error);
      }
    }
    // Without Redis the message reaches this node's members only, and is not kept: it has no offset.
    return { delivered: this.local.deliver(channel, plainMessageFrame(body)) };
  }

  async sendToClient(clientId: string, frame: Buffer): Promise<number> {
    return this.redis.read(
      'send to a client',
      () => this.routes.toClient(clientId, frame),
      () => this.local.deliverToClient(clientId, frame),
    );
  }

  async sendToConnection(connectionId: string, frame: Buffer): Promise<boolean> {
    const here = this.local.deliverToConnection(connectionId, frame);
    if (here !== undefined) return here;
    return this.redis.read(
      'send to a connection',
      () => this.routes.toConnection(connectionId, frame),
      () => false,
    );
  }

  async position(channel: string, history: HistoryOptions): Promise<StreamPosition | undefined> {
    const metaTtl = Math.max(history.ttl, this.historyMetaTtl);
    return this.redis.read(
      'history position',
      async () => {
        const [offset, epoch] = (await this.scripts.rtPosition(this.members(channel), this.prefix, channel, newEpoch(), metaTtl)) as [number, string];
        const position = { offset: Number(offset), epoch };
        this.recovery.joined(channel, position, history);
        return position;
      },
      () => undefined,
    );
  }

  async historySince(channel: string, since: StreamPosition, history: HistoryOptions): Promise<HistoryRead> {
    return this.redis.read<HistoryRead>(
      'history',
      async () => {
        const reply = (await this.scripts.rtHistorySinceBuffer(this.members(channel), this.prefix, channel, since.offset, since.epoch, history.ttl)) as Array<Buffer | number>;
        const status = reply[0].toString();
        if (status !== 'ok') return { lost: status as 'epoch' | 'window' };
        const position = { offset: Number(reply[1].toString()), epoch: reply[2].toString() };
        return { frames: reply.slice(3) as Buffer[], position };
      },
      () => ({ lost: 'unavailable' }),
    );
  }

  /** The key by which a channel's scripts are routed. */
  private members(channel: string): string {
    return this.redis.keys.channel('members', channel);
  }
}
