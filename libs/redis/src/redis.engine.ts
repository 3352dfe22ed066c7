import type { DeadNode, EngineListener, EngineNode, EngineStatus, NodeRecord, RealtimeEngine } from '@nest-realtime/core/engine';
import { MemoryEngine, RealtimeLogger } from '@nest-realtime/core/engine';
import { BusRecovery } from './bus.recovery';
import { ChannelSubscriptions } from './channel.subscriptions';
import { ConnectionCleanup } from './connection.cleanup';
import { NodeLiveness } from './node.liveness';
import { NodeRoutes } from './node.routes';
import { OutageResync } from './outage.resync';
import { RedisBus } from './redis.bus';
import { RedisConnection } from './redis.connection';
import { RedisEngineOptions, resolveRedisEngineOptions } from './redis-engine.options';
import { RedisBroker, RedisDirectory, RedisGroups, RedisMemberships, RedisPresence, RedisSessions, RedisSharedState } from './stores';

/**
 * An engine for many nodes on one Redis or a Redis Cluster. Each node keeps its own connections'
 * memberships and presence in a local `MemoryEngine` (which delivers frames to them) and mirrors them into
 * Redis, where every node reads the cluster's: members and presence of a channel, connections of a client,
 * groups (see the stores). A channel's frames travel on the channel's bus, which the nodes holding its
 * members subscribe to (channel.subscriptions.ts); frames for one client or connection on the bus of its
 * node (redis.bus.ts). On a cluster every key and bus of a channel lives in the channel's slot.
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
  private readonly subscriptions: ChannelSubscriptions;

  constructor(options: RedisEngineOptions = {}) {
    const resolved = resolveRedisEngineOptions(options);
    const logger = new RealtimeLogger('RedisEngine', resolved.logLevels);
    this.nodeId = resolved.nodeId;
    const connection = (this.connection = new RedisConnection(resolved, logger));
    const cleanup = new ConnectionCleanup(connection);
    const routes = new NodeRoutes(connection);
    const subscriptions = (this.subscriptions = new ChannelSubscriptions(
      connection,
      async (channel) => (await this.local.memberships.count(channel)) > 0 || this.state.followed(channel),
    ));
    this.liveness = new NodeLiveness(connection, resolved.nodeTtl, logger, cleanup);
    this.resync = new OutageResync(connection, this.liveness, this.local, cleanup, subscriptions);
    this.recovery = new BusRecovery(this.local, { historySince: (channel, since, history) => this.broker.historySince(channel, since, history) });
    this.broker = new RedisBroker(connection, this.local.broker, resolved.historyMetaTtl, this.recovery, routes);
    this.memberships = new RedisMemberships(connection, this.local.memberships, this.local.directory, subscriptions);
    this.presence = new RedisPresence(connection, this.local.presence, this.local.directory);
    this.directory = new RedisDirectory(connection, this.local.directory, cleanup);
    this.groups = new RedisGroups(connection);
    this.sessions = new RedisSessions(connection, this.local.sessions);
    this.state = new RedisSharedState(connection, resolved.historyMetaTtl, subscriptions, this.recovery, routes);
    this.bus = new RedisBus(connection.clusterBus, this.local, this.resync, this.recovery, subscriptions, this.state);
    this.resync.watch({ resynchronised: () => void this.state.writeBack() });
  }

  async bind(node: EngineNode): Promise<void> {
    this.local.bind(node);
    await this.connection.open(
      {
        received: (channel, message) => this.bus.received(channel, message),
        reconnected: () => this.resync.reconnected(),
        resubscribed: (subscribed) => {
          // On a cluster ioredis restores the subscriptions without checking them: they are renewed, and
          // when that fails the next resynchronisation renews them again.
          const renewed = this.connection.sharded ? subscribed.then(() => this.subscriptions.renewAll()) : subscribed;
          renewed.catch(() => (this.connection.stale = true));
          void this.recovery.resubscribing(renewed);
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
