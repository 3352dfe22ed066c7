import type { DeadNode, NodeRecord, RealtimeLogger } from '@nest-realtime/core/engine';
import type { RedisConnection } from './redis.connection';

/** How long a node's claim on a dead node lasts, at least: the time to release its connections. */
const MIN_CLAIM_MS = 30_000;

/**
 * This node's heartbeat key, refreshed every third of `nodeTtl`, and the claims on nodes whose key
 * expired: the node that claims one releases its connections, then forgets it.
 */
export class NodeLiveness {
  private readonly startedAt = Date.now();
  private timer?: NodeJS.Timeout;
  /** Until when this node claims no dead node: after a reconnect, the others need time to announce themselves again. */
  private quietUntil = 0;

  constructor(
    private readonly redis: RedisConnection,
    private readonly nodeTtl: number,
    private readonly logger: RealtimeLogger,
  ) {}

  /** Refreshes this node's heartbeat; a node the others had taken for dead must write its state back. */
  async heartbeat(): Promise<void> {
    const { scripts, prefix, nodeId } = this.redis;
    const forgotten = Number(await scripts.rtHeartbeat(prefix, nodeId, this.nodeTtl, this.startedAt)) === 1;
    if (forgotten && this.redis.started) {
      this.logger.warn(`Node ${nodeId} had been taken for dead: writing its state back`);
      this.redis.stale = true;
    }
  }

  /** Beats until stopped; `afterBeat` runs after each beat while Redis is up. */
  start(afterBeat: () => Promise<void>): void {
    this.timer = setInterval(() => void this.tick(afterBeat), Math.max(100, Math.floor(this.nodeTtl / 3)));
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Claims no dead node for one `nodeTtl`: the others' heartbeats may have been lost with Redis. */
  quiet(): void {
    this.quietUntil = Date.now() + this.nodeTtl;
  }

  async claimDeadNodes(): Promise<DeadNode[]> {
    if (!this.redis.up || Date.now() < this.quietUntil) return [];
    const claimTtl = Math.max(MIN_CLAIM_MS, this.nodeTtl * 3);
    const { scripts, prefix, nodeId } = this.redis;
    return this.redis.read(
      'dead nodes',
      async () =>
        ((await scripts.rtClaimDeadNodes(prefix, nodeId, claimTtl)) as string[][]).map(([deadId, ...rest]) => {
          const connections: DeadNode['connections'] = [];
          for (let i = 0; i < rest.length; i += 2) connections.push({ connectionId: rest[i], clientId: rest[i + 1] });
          return { nodeId: deadId, connections };
        }),
      () => [],
    );
  }

  /**
   * The nodes that announced themselves, each with its heartbeat and the connections it holds; while Redis
   * is unreachable, this node alone (`localConnections`: its count).
   */
  async nodes(localConnections: () => Promise<number>): Promise<NodeRecord[]> {
    const { redis } = this;
    const alone = async (): Promise<NodeRecord[]> => [
      { nodeId: redis.nodeId, startedAt: this.startedAt, alive: true, connections: await localConnections() },
    ];
    return redis.read(
      'nodes',
      async () => {
        const started = await redis.commands.hgetall(`${redis.prefix}nodes`);
        const ids = Object.keys(started).sort();
        const pipeline = redis.commands.pipeline();
        ids.forEach((id) => pipeline.exists(`${redis.prefix}alive:${id}`).scard(`${redis.prefix}node-conns:${id}`));
        const replies = ids.length > 0 ? await redis.exec(pipeline) : [];
        return ids.map((nodeId, index) => ({
          nodeId,
          startedAt: Number(started[nodeId]),
          alive: Number(replies[2 * index]) === 1,
          connections: Number(replies[2 * index + 1]),
        }));
      },
      alone,
    );
  }

  async forgetNode(nodeId: string): Promise<void> {
    await this.redis.need('forget a node', () => this.redis.scripts.rtForgetNode(this.redis.prefix, nodeId));
  }

  /** Forgets this node at once, so that the others need not wait for its heartbeat to expire. */
  async goodbye(): Promise<void> {
    if (this.redis.commands.status === 'ready') {
      await this.redis.scripts.rtForgetNode(this.redis.prefix, this.redis.nodeId).catch(() => undefined);
    }
  }

  private async tick(afterBeat: () => Promise<void>): Promise<void> {
    if (!this.redis.up) return;
    try {
      await this.heartbeat();
    } catch (error) {
      this.redis.failed('heartbeat', error);
    }
    await afterBeat();
  }
}
