/**
 * Two web nodes on one Redis (or a Redis Cluster): clients of either see each other's presence and messages.
 *
 *   redis-server --port 6379 --save '' --appendonly no &
 *   REDIS_URL=redis://127.0.0.1:6379 PORTS=3001,3002 node -r ./tools/ts-register.js apps/example-two-nodes/src/main.ts
 *
 * Then connect to ws://127.0.0.1:3001/realtime?user=alice and ws://127.0.0.1:3002/realtime?user=bob (for
 * instance with apps/example-node-client), join the same room, and chat. Ctrl-C stops both nodes.
 * Environment: REDIS_URL (redis://127.0.0.1:6379), or REDIS_CLUSTER_NODES (host:port,host:port,… of a Redis
 * Cluster) instead; PORTS (3001,3002; 0 picks a free port), HOST (127.0.0.1).
 * Both run in this one process to keep the example short; in production each node is a process (or a
 * machine) of its own behind a load balancer, started the same way with one port.
 */
import 'reflect-metadata';
import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { AddressInfo } from 'net';
import { RealtimeAdapter } from '@nest-realtime/core';
import { parseClusterNodes } from '@nest-realtime/redis';
import { ChatNodeModule } from './chat-node.module';

const CLUSTER_NODES = process.env.REDIS_CLUSTER_NODES;
const REDIS = CLUSTER_NODES ? { cluster: { nodes: parseClusterNodes(CLUSTER_NODES) } } : { url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' };
const PORTS = (process.env.PORTS ?? '3001,3002').split(',').map(Number);
const HOST = process.env.HOST ?? '127.0.0.1';

async function startNode(port: number): Promise<INestApplication> {
  const app = await NestFactory.create(ChatNodeModule.forRedis(REDIS), { logger: ['warn', 'error', 'fatal'] });
  app.useWebSocketAdapter(new RealtimeAdapter(app));
  await app.listen(port, HOST);
  return app;
}

async function main(): Promise<void> {
  const nodes: INestApplication[] = [];
  let stopping: Promise<void> | undefined;
  // Closed as a shutdown does: each node says goodbye to Redis, so the others send its clients' leaves at once.
  const stop = () => (stopping ??= Promise.all(nodes.map((node) => node.close())).then(() => process.exit(0)));
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
  for (const [index, port] of PORTS.entries()) {
    const node = await startNode(port);
    nodes.push(node);
    const { port: actual } = node.getHttpServer().address() as AddressInfo;
    console.log(`node ${index + 1}: ws://${HOST}:${actual}/realtime`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
