/**
 * One node of a test cluster, in its own process (started by cluster-node.ts through tools/ts-register.js): a
 * Nest application with RealtimeModule on the Redis engine (REDIS_URL, or REDIS_CLUSTER_NODES for a Redis
 * Cluster), on a free loopback port. It tells its parent
 * its port over IPC, then answers the parent's calls into its services (members, presence, publish…).
 */
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { AddressInfo } from 'net';
import { ChannelService, ConnectionService, DirectService, GroupService, PresenceService, RealtimeAdapter, RealtimeModule, SharedStateService } from '@nest-realtime/core';
import { parseClusterNodes, RedisEngine } from '@nest-realtime/redis';
import { userFromQuery } from '../auth';

export interface NodeCall {
  id: number;
  op: string;
  args: unknown[];
}

const env = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);
const drainMs = process.env.DRAIN_MS;
// Quiet: the suites cut Redis on purpose, and the outage it logs as an error is what they expect.
const clusterNodes = process.env.REDIS_CLUSTER_NODES;
const redis = clusterNodes ? { cluster: { nodes: parseClusterNodes(clusterNodes) } } : { url: process.env.REDIS_URL };
const engine = new RedisEngine({ ...redis, nodeTtl: env('NODE_TTL_MS', 2000), keyPrefix: 'cluster-test:', logLevels: ['fatal'] });

@Module({
  imports: [
    RealtimeModule.forRoot({
      engine,
      authenticate: userFromQuery,
      channels: [
        { pattern: 'room:*', presence: true, history: { size: 100, ttl: 60_000 } },
        { pattern: 'brief:*', presence: true, history: { size: 3, ttl: 60_000 } },
        { pattern: 'small:*', limit: 2 },
        { pattern: 'doc:*', presence: true, state: { write: 'members', log: 50 } },
        { pattern: 'org:*/team:*', state: { inherit: true, write: 'members' } },
        { pattern: 'org:*', state: true },
      ],
      sharedState: { expiryInterval: 50 },
      presence: { batchMs: env('PRESENCE_BATCH_MS', 0) },
      cleanup: { interval: env('CLEANUP_MS', 200) },
      rateLimit: false,
      // SIGTERM drains over DRAIN_MS when it is set.
      ...(drainMs !== undefined && { drain: { window: Number(drainMs), onShutdown: 'signal' as const } }),
      logLevels: ['error', 'fatal'],
    }),
  ],
})
class ClusterNodeModule {}

async function main(): Promise<void> {
  const app = await NestFactory.create(ClusterNodeModule, { logger: ['error', 'fatal'] });
  app.useWebSocketAdapter(new RealtimeAdapter(app));
  app.enableShutdownHooks(['SIGTERM']);
  await app.listen(0, '127.0.0.1');
  const channels = app.get(ChannelService);
  const presence = app.get(PresenceService);
  const connections = app.get(ConnectionService);
  const groups = app.get(GroupService);
  const directs = app.get(DirectService);
  const sharedState = app.get(SharedStateService);
  const ops: Record<string, (...args: any[]) => unknown> = {
    members: async (channel: string) => (await channels.members(channel)).map(({ clientId, meta }) => ({ clientId, meta })),
    presence: (channel: string) => presence.list(channel),
    publish: (channel: string, payload: unknown) => channels.publish(channel, payload),
    kick: (channel: string, clientId: string) => channels.kick(channel, clientId, 'kicked in a test'),
    findAnywhere: (clientId: string) => connections.findAnywhere(clientId),
    isOnlineAnywhere: (clientId: string) => connections.isOnlineAnywhere(clientId),
    countAnywhere: () => connections.countAnywhere(),
    groupAdd: (group: string, clientId: string) => groups.add(group, clientId),
    groupMembers: (group: string) => groups.members(group),
    broadcast: (group: string, event: string, data: unknown) => groups.broadcast(group, event, data),
    direct: (to: string, payload: unknown) => directs.send(to, payload),
    stateSet: (channel: string, key: string, value: unknown, options?: { version?: number; ttl?: number }) => sharedState.set(channel, key, value, options),
    stateSnapshot: (channel: string) => sharedState.snapshot(channel),
    groupStateSet: (group: string, key: string, value: unknown) => sharedState.group(group).set(key, value),
    stop: async () => {
      await app.close();
      setImmediate(() => process.exit(0));
      return true;
    },
  };
  process.on('message', (call: NodeCall) => {
    Promise.resolve()
      .then(() => ops[call.op](...call.args))
      .then(
        (result) => process.send!({ id: call.id, result: result ?? null }),
        (error: Error) => process.send!({ id: call.id, error: error.message }),
      );
  });
  process.once('disconnect', () => void app.close().finally(() => process.exit(0)));
  const { port } = app.getHttpServer().address() as AddressInfo;
  process.send!({ ready: true, port, nodeId: engine.nodeId });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
