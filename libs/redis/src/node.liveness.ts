import type { DeadNode, NodeRecord, RealtimeLogger } from '@nest-realtime/core/engine';
import type { ConnectionCleanup } from './connection.cleanup';
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
    private readonly cleanup: ConnectionCleanup,
  ) {}

  /** Refreshes this node's heartbeat; a node the others had taken for dead must write its state back. */
  async heartbeat(): Promise<void> {
    const { commands, keys, nodeId } = this.redis;
    const [, announced] = await Promise.all([
      commands.set(keys.node('alive', nodeId), this.startedAt, 'PX', this.nodeTtl),
      commands.hsetnx(keys.nodes, nodeId, this.startedAt),
    ]);
    const forgotten = announced === 1;
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
    // A master that came back empty lost the others' heartbeats too: they are not dead.
    if (await this.lostMaster()) return [];
    const claimTtl = Math.max(MIN_CLAIM_MS, this.nodeTtl * 3);
    const { commands, keys, nodeId } = this.redis;
    const claimed = await this.redis.read(
      'dead nodes',
      async () => {
        const others = (await commands.hkeys(keys.nodes)).filter((id) => id !== nodeId);
        const claims = await Promise.all(others.map((id) => this.claim(id, claimTtl)));
        return claims.filter((dead): dead is DeadNode => dead !== undefined);
      },
      () => [],
    );
    // A restart seen only now may be what emptied those heartbeats: the claims are dropped (they expire).
    if (claimed.length > 0 && (await this.lostMaster())) return [];
    return claimed;
  }

  /** A node whose heartbeat expired, with its connections, when this node is the one that claims it. */
  private async claim(deadId: string, claimTtl: number): Promise<DeadNode | undefined> {
    const { commands, keys, scripts, nodeId } = this.redis;
    const held = (await scripts.rtClaimNode(keys.node('alive', deadId), keys.node('reaper', deadId), keys.node('node-conns', deadId), nodeId, claimTtl)) as
      | string[]
      | null;
    if (!held) return undefined;
    const clients = await Promise.all(held.map((id) => commands.hget(keys.connection('conn', id), 'c')));
    return { nodeId: deadId, connections: held.map((connectionId, index) => ({ connectionId, clientId: clients[index] ?? '' })) };
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
        const { commands, keys } = redis;
        const started = await commands.hgetall(keys.nodes);
        const ids = Object.keys(started).sort();
        return Promise.all(
          ids.map(async (nodeId) => {
            const [alive, connections] = await Promise.all([commands.exists(keys.node('alive', nodeId)), commands.scard(keys.node('node-conns', nodeId))]);
            return { nodeId, startedAt: Number(started[nodeId]), alive: alive === 1, connections };
          }),
        );
      },
      alone,
    );
  }

  async forgetNode(nodeId: string): Promise<void> {
    await this.redis.need('forget a node', () => this.cleanup.dropNode(nodeId, true));
  }

  /** Forgets this node at once, so that the others need not wait for its heartbeat to expire. */
  async goodbye(): Promise<void> {
    if (this.redis.commands.status === 'ready') {
      await this.cleanup.dropNode(this.redis.nodeId, true).catch(() => undefined);
    }
  }

  /** A master of the cluster restarted: this node writes its state back, and claims no node for a while. */
  private async lostMaster(): Promise<boolean> {
    if (!(await this.redis.mastersRestarted())) return false;
    this.logger.warn('A Redis master restarted: writing this node\'s state back');
    this.redis.stale = true;
    this.quiet();
    return true;
  }

  private async tick(afterBeat: () => Promise<void>): Promise<void> {
    if (!this.redis.up) return;
    try {
      await this.heartbeat();
      await this.lostMaster();
      this.redis.reachable();
    } catch (error) {
      this.redis.failed('heartbeat', error);
    }
    await afterBeat();
  }
}
