import Redis, { ChainableCommander } from 'ioredis';
import type { PresenceMeta, PresenceState } from '@nest-realtime/protocol';
import type {
  ConnectionRecord,
  DeadNode,
  EngineListener,
  EngineNode,
  HistoryOptions,
  HistoryRead,
  JoinOutcome,
  LocalConnection,
  Membership,
  PresenceWrite,
  PublishedMessage,
  RealtimeEngine,
  ResumeSession,
  StreamPosition,
} from '@nest-realtime/core/engine';
import { MemoryEngine, newEpoch, plainMessageFrame, RealtimeLogger, storedMeta } from '@nest-realtime/core/engine';
import { decodeBusMessage } from './redis-bus';
import { RedisEngineOptions, resolveRedisEngineOptions, ResolvedRedisEngineOptions } from './redis-engine.options';
import { REDIS_SCRIPTS, RedisScriptName } from './redis.scripts';

type Arg = string | number | Buffer;
type ScriptCall = (...args: Arg[]) => Promise<unknown>;
type ScriptCalls = Record<RedisScriptName | `${RedisScriptName}Buffer`, ScriptCall>;

/** Commands of one resynchronisation pipeline sent at once. */
const RESYNC_BATCH = 500;
/** ms between a resynchronisation notice and the presence states it causes (notices come in bursts). */
const RESYNC_SETTLE_MS = 100;
/** How long a node's claim on a dead node lasts, at least: the time to release its connections. */
const MIN_CLAIM_MS = 30_000;

function parseStored<T>(value: string): { stamp: number; body: T } {
  const colon = value.indexOf(':');
  return { stamp: Number(value.slice(0, colon)), body: JSON.parse(value.slice(colon + 1)) as T };
}

/**
 * An engine for many nodes on one Redis. Each node keeps its own connections' memberships and presence
 * in a local `MemoryEngine` (which delivers frames to them) and mirrors them into Redis, where every node
 * reads the cluster's: members and presence of a channel, connections of a client, groups. A publish
 * runs a script that routes the frame to the bus of each node holding members of the channel, the
 * publishing node included, so every member on every node gets it once, in the one order Redis ran the
 * publishes in. History lives in Redis Streams, with the offset and epoch in a hash beside it.
 *
 * Each node refreshes a heartbeat key; the others release the connections of a node whose key expired.
 * While Redis is unreachable a node goes on serving its own clients from its local state (messages reach
 * its local members only, without offsets); when Redis is back, it writes its state back and every node
 * sends its members a fresh presence state.
 */
export class RedisEngine implements RealtimeEngine {
  readonly nodeId: string;
  private readonly options: ResolvedRedisEngineOptions;
  private readonly local = new MemoryEngine();
  private readonly commands: Redis;
  private readonly subscriber: Redis;
  private readonly scripts: ScriptCalls;
  private readonly listeners: EngineListener[] = [];
  private readonly logger: RealtimeLogger;
  private readonly startedAt = Date.now();
  private node?: EngineNode;
  private heartbeatTimer?: NodeJS.Timeout;
  private settleTimer?: NodeJS.Timeout;
  private everReady = false;
  private outage = false;
  private needsResync = false;
  private resyncing?: Promise<void>;
  private resyncAgain = false;
  /** Until when this node claims no dead node: after a reconnect, the others need time to announce themselves again. */
  private quietUntil = 0;
  private closed = false;

  constructor(options: RedisEngineOptions = {}) {
    this.options = resolveRedisEngineOptions(options);
    this.nodeId = this.options.nodeId;
    this.logger = new RealtimeLogger('RedisEngine', this.options.logLevels);
    const base = {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: this.options.connectTimeout,
      retryStrategy: (attempt: number) => Math.min(100 * attempt, 2000),
      ...this.options.redis,
    };
    this.commands = new Redis(this.options.url, { ...base, connectionName: `${this.nodeId}:commands`, scripts: REDIS_SCRIPTS });
    this.subscriber = new Redis(this.options.url, { ...base, connectionName: `${this.nodeId}:bus`, autoResubscribe: true });
    this.scripts = this.commands as unknown as ScriptCalls;
  }

  private get prefix(): string {
    return this.options.keyPrefix;
  }

  private get busOfNode(): string {
    return `${this.prefix}bus:${this.nodeId}`;
  }

  private get clusterBus(): string {
    return `${this.prefix}bus`;
  }

  /** Whether commands can go to Redis now. */
  private get up(): boolean {
    return this.commands.status === 'ready' && !this.closed;
  }

  async bind(node: EngineNode): Promise<void> {
    this.node = node;
    this.local.bind(node);
    this.commands.on('error', (error: Error) => this.unreachable(error));
    this.subscriber.on('error', (error: Error) => this.unreachable(error));
    this.commands.on('close', () => this.everReady && this.unreachable(new Error('the connection closed')));
    this.commands.on('ready', () => this.reconnected());
    this.subscriber.on('ready', () => this.everReady && this.settleSoon());
    this.subscriber.on('messageBuffer', (channel: Buffer, message: Buffer) => this.received(channel.toString(), message));
    try {
      await Promise.all([this.commands.connect(), this.subscriber.connect()]);
      await this.subscriber.subscribe(this.busOfNode, this.clusterBus);
      await this.heartbeat();
    } catch (error) {
      this.commands.disconnect();
      this.subscriber.disconnect();
      throw new Error(
        `RedisEngine: could not reach Redis at ${this.describeUrl()} within ${this.options.connectTimeout} ms (${String(error)}). ` +
          'Start Redis, or point the engine at yours (option "url", or REDIS_URL in the demo).',
      );
    }
    this.everReady = true;
    this.heartbeatTimer = setInterval(() => void this.tick(), Math.max(100, Math.floor(this.options.nodeTtl / 3)));
    this.heartbeatTimer.unref();
  }

  watch(listener: EngineListener): void {
    this.listeners.push(listener);
  }

  // Connections

  async connectionOpened(record: Omit<ConnectionRecord, 'nodeId'>): Promise<void> {
    await this.local.connectionOpened(record);
    await this.write('connection opened', () =>
      this.scripts.rtConnectionOpened(this.prefix, this.nodeId, record.connectionId, record.clientId, record.state, record.connectedAt),
    );
  }

  async connectionState(connectionId: string, state: string): Promise<void> {
    await this.local.connectionState(connectionId, state);
    await this.write('connection state', () => this.scripts.rtConnectionState(this.prefix, connectionId, state));
  }

  async connectionClosed(connectionId: string, clientId: string): Promise<{ lastOfClient: boolean }> {
    const local = await this.local.connectionClosed(connectionId, clientId);
    return this.read('connection closed', async () => ({ lastOfClient: (await this.scripts.rtConnectionClosed(this.prefix, connectionId, clientId)) === 0 }), () => local);
  }

  async connectionsOfClient(clientId: string): Promise<ConnectionRecord[]> {
    return this.read(
      'connections of a client',
      async () => {
        const ids = await this.commands.smembers(`${this.prefix}client-conns:${clientId}`);
        const pipeline = this.commands.pipeline();
        ids.forEach((id) => pipeline.hgetall(`${this.prefix}conn:${id}`));
        const records: ConnectionRecord[] = [];
        (await this.exec(pipeline)).forEach((hash, index) => {
          const record = hash as Record<string, string>;
          if (record.n === undefined) return;
          records.push({ connectionId: ids[index], clientId: record.c, nodeId: record.n, state: record.s, connectedAt: Number(record.t) });
        });
        return records.sort((a, b) => a.connectedAt - b.connectedAt || a.connectionId.localeCompare(b.connectionId));
      },
      () => this.local.connectionsOfClient(clientId),
    );
  }

  async connectionCount(): Promise<number> {
    return this.read(
      'connection count',
      async () => {
        const nodes = await this.commands.hkeys(`${this.prefix}nodes`);
        const pipeline = this.commands.pipeline();
        nodes.forEach((node) => pipeline.scard(`${this.prefix}node-conns:${node}`));
        return (await this.exec(pipeline)).reduce<number>((sum, count) => sum + Number(count), 0);
      },
      () => this.local.connectionCount(),
    );
  }

  // Memberships

  async join(
    channel: string,
    connection: LocalConnection,
    meta: Record<string, unknown>,
    limit = 0,
  ): Promise<JoinOutcome> {
    // Local first: a message routed to this node right after Redis took the member must find it here.
    const local = await this.local.join(channel, connection, meta, this.up ? 0 : limit);
    if (local.full || !this.up) return local;
    const json = JSON.stringify({ c: connection.clientId, n: this.nodeId, m: meta });
    return this.read<JoinOutcome>(
      'join',
      async () => {
        const outcome = Number(await this.scripts.rtJoin(this.prefix, this.nodeId, channel, connection.id, json, limit, Date.now()));
        if (outcome !== -1) return { created: outcome === 1 };
        if (local.created) await this.local.leave(channel, connection.id);
        return { created: false, full: true };
      },
      () => local,
    );
  }

  async leave(channel: string, connectionId: string): Promise<Membership | undefined> {
    const local = await this.local.leave(channel, connectionId);
    return this.read(
      'leave',
      async () => {
        const removed = (await this.scripts.rtLeave(this.prefix, channel, connectionId, this.nodeId)) as string | null;
        return removed ? this.membershipOf(connectionId, removed) : local;
      },
      () => local,
    );
  }

  async membership(channel: string, connectionId: string): Promise<Membership | undefined> {
    if (this.local.holds(connectionId)) return this.local.membership(channel, connectionId);
    return this.read(
      'membership',
      async () => {
        const stored = await this.commands.hget(`${this.prefix}members:${channel}`, connectionId);
        return stored ? this.membershipOf(connectionId, stored) : undefined;
      },
      () => undefined,
    );
  }

  async members(channel: string): Promise<Membership[]> {
    return this.read(
      'members',
      async () => {
        const all = await this.commands.hgetall(`${this.prefix}members:${channel}`);
        return Object.entries(all)
          .map(([connectionId, stored]) => this.membershipOf(connectionId, stored))
          .sort((a, b) => a.joinedAt - b.joinedAt || a.connectionId.localeCompare(b.connectionId));
      },
      () => this.local.members(channel),
    );
  }

  async memberCount(channel: string): Promise<number> {
    return this.read('member count', () => this.commands.hlen(`${this.prefix}members:${channel}`), () => this.local.memberCount(channel));
  }

  async channelsOf(connectionId: string): Promise<string[]> {
    if (this.local.holds(connectionId)) return this.local.channelsOf(connectionId);
    return this.read('channels of a connection', () => this.commands.smembers(`${this.prefix}conn-chans:${connectionId}`), () => []);
  }

  /** Local bookkeeping: Redis drops a channel's keys by itself when they empty. */
  emptyChannels(): Promise<Array<{ channel: string; since: number }>> {
    return this.local.emptyChannels();
  }

  dropChannel(channel: string): Promise<boolean> {
    return this.local.dropChannel(channel);
  }

  private membershipOf(connectionId: string, stored: string): Membership {
    const { stamp, body } = parseStored<{ c: string; m: Record<string, unknown> }>(stored);
    return { connectionId, clientId: body.c, meta: body.m, joinedAt: stamp };
  }

  // Fan-out

  async publish(channel: string, frame: Buffer): Promise<number> {
    if (!this.up) return this.local.publish(channel, frame);
    try {
      return Number(await this.scripts.rtPublish(this.prefix, channel, frame));
    } catch (error) {
      this.failed('publish', error);
      return this.local.publish(channel, frame);
    }
  }

  publishLocal(channel: string, frame: Buffer): Promise<number> {
    return this.local.publish(channel, frame);
  }

  async publishMessage(channel: string, body: string, history: HistoryOptions): Promise<PublishedMessage> {
    if (this.up) {
      try {
        const [offset, epoch, delivered] = (await this.scripts.rtPublishMessage(
          this.prefix,
          channel,
          body,
          history.size,
          history.ttl,
          newEpoch(),
          this.options.historyMetaTtl,
        )) as [number, string, number];
        return { delivered: Number(delivered), position: { offset: Number(offset), epoch } };
      } catch (error) {
        this.failed('publish', error);
      }
    }
    // Without Redis the message reaches this node's members only, and is not kept: it has no offset.
    return { delivered: await this.local.publish(channel, plainMessageFrame(body)) };
  }

  async sendToClient(clientId: string, frame: Buffer): Promise<number> {
    return this.read(
      'send to a client',
      async () => Number(await this.scripts.rtSendToClient(this.prefix, clientId, frame)),
      () => this.local.sendToClient(clientId, frame),
    );
  }

  async sendToConnection(connectionId: string, frame: Buffer): Promise<boolean> {
    const here = this.node?.get(connectionId);
    if (here) return here.send(frame);
    return this.read('send to a connection', async () => Number(await this.scripts.rtSendToConnection(this.prefix, connectionId, frame)) === 1, () => false);
  }

  // History

  async position(channel: string, history: HistoryOptions): Promise<StreamPosition | undefined> {
    const metaTtl = Math.max(history.ttl, this.options.historyMetaTtl);
    return this.read(
      'history position',
      async () => {
        const [offset, epoch] = (await this.scripts.rtPosition(this.prefix, channel, newEpoch(), metaTtl)) as [number, string];
        return { offset: Number(offset), epoch };
      },
      () => undefined,
    );
  }

  async historySince(channel: string, since: StreamPosition, history: HistoryOptions): Promise<HistoryRead> {
    return this.read<HistoryRead>(
      'history',
      async () => {
        const reply = (await this.scripts.rtHistorySinceBuffer(this.prefix, channel, since.offset, since.epoch, history.ttl)) as Array<Buffer | number>;
        const status = reply[0].toString();
        if (status !== 'ok') return { lost: status as 'epoch' | 'window' };
        const position = { offset: Number(reply[1].toString()), epoch: reply[2].toString() };
        return { frames: reply.slice(3) as Buffer[], position };
      },
      () => ({ lost: 'unavailable' }),
    );
  }

  // Sessions

  async saveSession(token: string, session: ResumeSession, ttl: number): Promise<void> {
    if (this.up) {
      try {
        await this.commands.set(`${this.prefix}session:${token}`, JSON.stringify(session), 'PX', ttl);
        return;
      } catch (error) {
        this.failed('save a session', error);
      }
    }
    await this.local.saveSession(token, session, ttl);
  }

  async takeSession(token: string): Promise<ResumeSession | undefined> {
    const stored = await this.read('take a session', () => this.commands.getdel(`${this.prefix}session:${token}`), () => null);
    return stored ? (JSON.parse(stored) as ResumeSession) : this.local.takeSession(token);
  }

  // Presence

  async presenceSet(channel: string, clientId: string, connectionId: string, meta: Record<string, unknown>): Promise<PresenceWrite> {
    const local = await this.local.presenceSet(channel, clientId, connectionId, meta);
    return this.read(
      'presence',
      async () => {
        const json = JSON.stringify({ c: clientId, m: meta });
        const [before, after, onlineAt] = (await this.scripts.rtPresenceSet(this.prefix, channel, clientId, connectionId, json, local.meta.onlineAt as number)) as [
          number,
          number,
          string,
        ];
        return { clientId, connectionId, meta: storedMeta(meta, connectionId, Number(onlineAt)), countBefore: Number(before), countAfter: Number(after) };
      },
      () => local,
    );
  }

  async presenceRemove(channel: string, connectionId: string): Promise<PresenceWrite | undefined> {
    const local = await this.local.presenceRemove(channel, connectionId);
    return this.read(
      'presence',
      async () => {
        const removed = (await this.scripts.rtPresenceRemove(this.prefix, channel, connectionId)) as [string, number, number] | null;
        if (!removed) return local;
        const { clientId, meta } = this.presenceOf(connectionId, removed[0]);
        return { clientId, connectionId, meta, countBefore: Number(removed[1]), countAfter: Number(removed[2]) };
      },
      () => local,
    );
  }

  async presenceMeta(channel: string, connectionId: string): Promise<{ clientId: string; meta: PresenceMeta } | undefined> {
    if (this.local.holds(connectionId)) return this.local.presenceMeta(channel, connectionId);
    return this.read(
      'presence',
      async () => {
        const stored = await this.commands.hget(`${this.prefix}presence:${channel}`, connectionId);
        return stored ? this.presenceOf(connectionId, stored) : undefined;
      },
      () => undefined,
    );
  }

  async presenceState(channel: string): Promise<PresenceState> {
    return this.read(
      'presence',
      async () => {
        const entries = Object.entries(await this.commands.hgetall(`${this.prefix}presence:${channel}`))
          .map(([connectionId, stored]) => this.presenceOf(connectionId, stored))
          .sort((a, b) => a.meta.onlineAt - b.meta.onlineAt || a.meta.connectionId.localeCompare(b.meta.connectionId));
        const state: PresenceState = {};
        for (const { clientId, meta } of entries) (state[clientId] ??= { metas: [] }).metas.push(meta);
        return state;
      },
      () => this.local.presenceState(channel),
    );
  }

  /** This node's own entries: each node sweeps its own. */
  presenceOrphans(): Promise<Array<{ channel: string; connectionId: string }>> {
    return this.local.presenceOrphans();
  }

  private presenceOf(connectionId: string, stored: string): { clientId: string; meta: PresenceMeta } {
    const { stamp, body } = parseStored<{ c: string; m: Record<string, unknown> }>(stored);
    return { clientId: body.c, meta: storedMeta(body.m, connectionId, stamp) };
  }

  // Groups: they live in Redis only, so they need it.

  async groupAdd(group: string, clientId: string): Promise<boolean> {
    return this.need('add to a group', async () => {
      const [added] = await this.exec(
        this.commands.multi().sadd(`${this.prefix}group:${group}`, clientId).sadd(`${this.prefix}client-groups:${clientId}`, group),
      );
      return Number(added) === 1;
    });
  }

  async groupRemove(group: string, clientId: string): Promise<boolean> {
    return this.need('remove from a group', async () => {
      const [removed] = await this.exec(
        this.commands.multi().srem(`${this.prefix}group:${group}`, clientId).srem(`${this.prefix}client-groups:${clientId}`, group),
      );
      return Number(removed) === 1;
    });
  }

  groupMembers(group: string): Promise<string[]> {
    return this.need('read a group', async () => (await this.commands.smembers(`${this.prefix}group:${group}`)).sort());
  }

  groupsOf(clientId: string): Promise<string[]> {
    return this.need('read groups', async () => (await this.commands.smembers(`${this.prefix}client-groups:${clientId}`)).sort());
  }

  // Liveness

  async claimDeadNodes(): Promise<DeadNode[]> {
    if (!this.up || Date.now() < this.quietUntil) return [];
    const claimTtl = Math.max(MIN_CLAIM_MS, this.options.nodeTtl * 3);
    return this.read(
      'dead nodes',
      async () =>
        ((await this.scripts.rtClaimDeadNodes(this.prefix, this.nodeId, claimTtl)) as string[][]).map(([nodeId, ...rest]) => {
          const connections: DeadNode['connections'] = [];
          for (let i = 0; i < rest.length; i += 2) connections.push({ connectionId: rest[i], clientId: rest[i + 1] });
          return { nodeId, connections };
        }),
      () => [],
    );
  }

  async forgetNode(nodeId: string): Promise<void> {
    await this.need('forget a node', () => this.scripts.rtForgetNode(this.prefix, nodeId));
  }

  async sweep(now: number): Promise<void> {
    await this.local.sweep(now);
  }

  /** Refreshes this node's heartbeat; a node the others had taken for dead writes its state back. */
  private async heartbeat(): Promise<void> {
    const forgotten = Number(await this.scripts.rtHeartbeat(this.prefix, this.nodeId, this.options.nodeTtl, this.startedAt)) === 1;
    if (forgotten && this.everReady) {
      this.logger.warn(`Node ${this.nodeId} had been taken for dead: writing its state back`);
      this.needsResync = true;
    }
  }

  private async tick(): Promise<void> {
    if (!this.up) return;
    try {
      await this.heartbeat();
    } catch (error) {
      this.failed('heartbeat', error);
    }
    if (this.needsResync) await this.resync();
  }

  // Outages and resynchronisation

  private unreachable(error: Error): void {
    if (this.outage || this.closed) return;
    this.outage = true;
    this.logger.error(`Redis at ${this.describeUrl()} is unreachable (${error.message}): serving this node's clients alone until it is back`);
  }

  private reconnected(): void {
    if (!this.everReady || this.closed) return;
    if (this.outage) this.logger.log(`Redis at ${this.describeUrl()} is back: writing this node's state back`);
    this.outage = false;
    this.quietUntil = Date.now() + this.options.nodeTtl;
    void this.resync();
  }

  /** Writes this node's state back (once at a time; again if asked meanwhile), then tells every node. */
  private resync(): Promise<void> {
    if (this.resyncing) {
      this.resyncAgain = true;
      return this.resyncing;
    }
    this.resyncing = (async () => {
      do {
        this.resyncAgain = false;
        this.needsResync = false;
        await this.heartbeat();
        await this.scripts.rtPurgeNode(this.prefix, this.nodeId);
        await this.writeBack();
        await this.commands.publish(this.clusterBus, 'r');
        this.settleSoon();
      } while (this.resyncAgain && this.up);
    })()
      .catch((error) => {
        this.needsResync = true;
        this.failed('resynchronise', error);
      })
      .finally(() => (this.resyncing = undefined));
    return this.resyncing;
  }

  private async writeBack(): Promise<void> {
    const { connections, members, presence } = this.local.entries();
    const writes: Array<(pipeline: ChainableCommander) => void> = [];
    const p = this.prefix;
    for (const c of connections) {
      writes.push((pipe) => call(pipe, 'rtConnectionOpened', p, this.nodeId, c.connectionId, c.clientId, c.state, c.connectedAt));
    }
    for (const m of members) {
      const json = JSON.stringify({ c: m.clientId, n: this.nodeId, m: m.meta });
      writes.push((pipe) => call(pipe, 'rtJoin', p, this.nodeId, m.channel, m.connectionId, json, 0, m.joinedAt));
    }
    for (const entry of presence) {
      const { connectionId: _id, onlineAt, ...meta } = entry.meta;
      const json = JSON.stringify({ c: entry.clientId, m: meta });
      writes.push((pipe) => call(pipe, 'rtPresenceSet', p, entry.channel, entry.clientId, entry.connectionId, json, onlineAt));
    }
    for (let start = 0; start < writes.length; start += RESYNC_BATCH) {
      const pipeline = this.commands.pipeline();
      writes.slice(start, start + RESYNC_BATCH).forEach((write) => write(pipeline));
      await this.exec(pipeline);
    }
  }

  /** Tells the listeners, once a burst of notices has passed, to send this node's members fresh presence states. */
  private settleSoon(): void {
    if (this.closed) return;
    clearTimeout(this.settleTimer);
    this.settleTimer = setTimeout(() => {
      const channels = [...new Set(this.local.entries().members.map((member) => member.channel))];
      for (const listener of this.listeners) listener.resynchronised(channels);
    }, RESYNC_SETTLE_MS);
    this.settleTimer.unref();
  }

  private received(channel: string, message: Buffer): void {
    if (channel === this.clusterBus) {
      if (message.toString() === 'r') this.settleSoon();
      return;
    }
    const decoded = decodeBusMessage(message);
    if (!decoded) return;
    const { kind, key, payload } = decoded;
    if (kind === 'm') void this.local.publish(key, payload);
    else if (kind === 'c') for (const connection of this.node?.connectionsOf(key) ?? []) connection.send(payload);
    else if (kind === 'k') this.node?.get(key)?.send(payload);
    else if (kind === 'l') void this.dropLocalMembership(key, payload.toString());
  }

  /** Another node removed a membership of this node's (a kick): stop delivering to it here too. */
  private async dropLocalMembership(channel: string, connectionId: string): Promise<void> {
    await this.local.leave(channel, connectionId);
    await this.local.presenceRemove(channel, connectionId);
  }

  // Plumbing

  /** Runs against Redis when it is up; falls back to this node's own view when it is not, or the call fails. */
  private async read<T>(what: string, run: () => Promise<T>, fallback: () => T | Promise<T>): Promise<T> {
    if (!this.up) return fallback();
    try {
      return await run();
    } catch (error) {
      this.failed(what, error);
      return fallback();
    }
  }

  /** A write of this node's state: when Redis misses it, the next resynchronisation writes it. */
  private async write(what: string, run: () => Promise<unknown>): Promise<void> {
    await this.read(what, run, () => {
      this.needsResync = true;
    });
  }

  /** What lives in Redis only: fails with a message that says so when Redis cannot be reached. */
  private async need<T>(what: string, run: () => Promise<T>): Promise<T> {
    if (!this.up) throw new Error(`RedisEngine: could not ${what}: Redis at ${this.describeUrl()} is unreachable; try again once it is back.`);
    return run();
  }

  private async exec(pipeline: ChainableCommander): Promise<unknown[]> {
    const results = (await pipeline.exec()) ?? [];
    const failure = results.find(([error]) => error);
    if (failure) throw failure[0];
    return results.map(([, value]) => value);
  }

  private failed(what: string, error: unknown): void {
    this.needsResync = true;
    if (!this.outage && !this.closed) this.logger.warn(`Redis: ${what} failed (${String(error)}); this node's state will be written back`);
  }

  private describeUrl(): string {
    return this.options.url.replace(/\/\/[^@/]*@/, '//***@');
  }

  /** Says goodbye (the others need not wait for this node's heartbeat to expire), then closes both connections. */
  async close(): Promise<void> {
    if (this.closed) return;
    clearInterval(this.heartbeatTimer);
    clearTimeout(this.settleTimer);
    if (this.commands.status === 'ready') {
      await this.scripts.rtForgetNode(this.prefix, this.nodeId).catch(() => undefined);
    }
    this.closed = true;
    await Promise.all([quit(this.commands), quit(this.subscriber)]);
    await this.local.close();
  }
}

function call(pipeline: ChainableCommander, script: RedisScriptName, ...args: Arg[]): void {
  (pipeline as unknown as Record<RedisScriptName, (...args: Arg[]) => void>)[script](...args);
}

async function quit(client: Redis): Promise<void> {
  if (client.status === 'ready') {
    try {
      await client.quit();
      return;
    } catch {
      // fall through: cut it
    }
  }
  client.disconnect();
}
