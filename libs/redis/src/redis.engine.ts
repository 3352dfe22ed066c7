import type { DeadNode, EngineListener, EngineNode, EngineStatus, NodeRecord, RealtimeEngine } from '@nest-realtime/core/engine';
import { MemoryEngine, RealtimeLogger } from '@nest-realtime/core/engine';
import { BusRecovery } from './bus.recovery';
import { NodeLiveness } from './node.liveness';
import { OutageResync } from './outage.resync';
import { RedisBus } from './redis.bus';
import { RedisConnection } from './redis.connection';
import { RedisEngineOptions, resolveRedisEngineOptions } from './redis-engine.options';
import { RedisBroker, RedisDirectory, RedisGroups, RedisMemberships, RedisPresence, RedisSessions, RedisSharedState } from './stores';

/**
 * An engine for many nodes on one Redis. Each node keeps its own connections' memberships and presence
 * in a local `MemoryEngine` (which delivers frames to them) and mirrors them into Redis, where every node
 * reads the cluster's: members and presence of a channel, connections of a client, groups (see the stores).
 * Frames travel on per-node buses (redis.bus.ts).
 *
 * Each node refreshes a heartbeat key; the others release the connections of a node whose key expired
 * (node.liveness.ts). While Redis is unreachable a node goes on serving its own clients from its local
 * state (messages reach its local members only, without offsets); when Redis is back, it writes its
 * state back and every node sends its members a fresh presence state (outage.resync.ts). What a node's
 * bus missed while its subscriber was down is sent again from history, or its members are told of the
 * gap (bus.recovery.ts).
 * Shared states live in Redis only: without it their writes are `unavailable`.
 */
export class RedisEngine implements RealtimeEngine {
  readonly nodeId: string;
  readonly broker: RedisBroker;
  readonly memberships: RedisMemberships;
  readonly presence: RedisPresence;
  readonly directory: RedisDirectory;
  readonly groups: RedisGroups;
  readonly sessions: RedisSessions;
  readonly state: RedisSharedState;
  private readonly local = new MemoryEngine();
  private readonly connection: RedisConnection;
  private readonly liveness: NodeLiveness;
  private readonly resync: OutageResync;
  private readonly bus: RedisBus;
  private readonly recovery: BusRecovery;

  constructor(options: RedisEngineOptions = {}) {
    const resolved = resolveRedisEngineOptions(options);
    const logger = new RealtimeLogger('RedisEngine', resolved.logLevels);
    this.nodeId = resolved.nodeId;
    this.connection = new RedisConnection(resolved, logger);
    this.liveness = new NodeLiveness(this.connection, resolved.nodeTtl, logger);
    this.resync = new OutageResync(this.connection, this.liveness, this.local);
    this.recovery = new BusRecovery(this.local, { historySince: (channel, since, history) => this.broker.historySince(channel, since, history) });
    this.broker = new RedisBroker(this.connection, this.local.broker, resolved.historyMetaTtl, this.recovery);
    this.bus = new RedisBus(this.connection.clusterBus, this.local, this.resync, this.recovery);
    this.memberships = new RedisMemberships(this.connection, this.local.memberships, this.local.directory);
    this.presence = new RedisPresence(this.connection, this.local.presence, this.local.directory);
    this.directory = new RedisDirectory(this.connection, this.local.directory);
    this.groups = new RedisGroups(this.connection);
    this.sessions = new RedisSessions(this.connection, this.local.sessions);
    this.state = new RedisSharedState(this.connection, resolved.historyMetaTtl);
    this.resync.watch({ resynchronised: () => void this.state.writeBack() });
  }

  async bind(node: EngineNode): Promise<void> {
    this.local.bind(node);
    await this.connection.open(
      {
        received: (channel, message) => this.bus.received(channel, message),
        reconnected: () => this.resync.reconnected(),
        resubscribed: (subscribed) => {
          void this.recovery.resubscribing(subscribed);
          this.resync.settleSoon();
        },
      },
      () => this.liveness.heartbeat(),
    );
    this.liveness.start(() => this.resync.ifStale());
  }

  watch(listener: EngineListener): void {
    this.resync.watch(listener);
  }

  claimDeadNodes(): Promise<DeadNode[]> {
    return this.liveness.claimDeadNodes();
  }

  /** The nodes that announced themselves in Redis (this node alone while Redis is unreachable). */
  nodes(): Promise<NodeRecord[]> {
    return this.liveness.nodes(() => this.local.directory.count());
  }

  /** Whether Redis answers now, and this node's own channels, members and presence (its local engine's). */
  status(): EngineStatus {
    return { ...this.local.status(), reachable: this.connection.up };
  }

  forgetNode(nodeId: string): Promise<void> {
    return this.liveness.forgetNode(nodeId);
  }

  async sweep(now: number): Promise<void> {
    await this.local.sweep(now);
    this.recovery.sweep();
  }

  /** Says goodbye (the others need not wait for this node's heartbeat to expire), then closes both connections. */
  async close(): Promise<void> {
    if (this.connection.isClosed) return;
    this.liveness.stop();
    this.resync.stop();
    await this.liveness.goodbye();
    await this.connection.close();
    await this.local.close();
  }
}
