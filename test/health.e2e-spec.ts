import type { RealtimeModuleOptions } from '@nest-realtime/core';
import { ConnectionService, RealtimeHealth } from '@nest-realtime/core';
import { RedisEngine } from '@nest-realtime/redis';
import { HealthModule } from '../apps/demo/src/health/health.module';
import { userFromQuery } from './support/auth';
import { DemoServer } from './support/demo-server';
import { RealtimeTestApp } from './support/realtime-app';
import { RedisServer } from './support/redis-server';
import { TestClient } from './support/test-client';

// The demo's health module: an application module apart from RealtimeModule (which it does not import); the indicator finds it anyway.
interface Answer {
  status: number;
  body: any;
}

async function get(url: string): Promise<Answer> {
  const response = await fetch(url);
  return { status: response.status, body: await response.json() };
}

/** Asks until the answer has that status (the engine's state changes a moment after Redis does); bounded by the test's timeout. */
async function until(url: string, status: number): Promise<Answer> {
  for (;;) {
    const answer = await get(url);
    if (answer.status === status) return answer;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('health checks (@nestjs/terminus)', () => {
  let node: RealtimeTestApp | undefined;
  let http: string;

  async function start(options: RealtimeModuleOptions = {}): Promise<void> {
    node = await RealtimeTestApp.start({ authenticate: userFromQuery, logLevels: [], ...options }, { imports: [HealthModule] });
    http = node.http;
  }

  const connect = (user: string): Promise<TestClient> => node!.connect({ user });

  afterEach(() => node?.close());

  it('is up (200) while the engine is reachable and the node takes connections, with the figures', async () => {
    await start();
    await connect('alice');

    const health = await get(`${http}/health`);
    const ready = await get(`${http}/health/ready`);

    const realtime = { status: 'up', engineReachable: true, accepting: true, draining: false, connections: 1 };
    expect(health).toEqual({ status: 200, body: { status: 'ok', info: { realtime }, error: {}, details: { realtime } } });
    expect(ready).toEqual(health);
  });

  it('turns 503 for health and readiness the moment a drain starts, before any connection is closed', async () => {
    await start();
    const alice = await connect('alice');

    const drained = node!.get(ConnectionService).drain({ window: 1500 });
    const health = await get(`${http}/health`);
    const ready = await get(`${http}/health/ready`);

    const realtime = { status: 'down', engineReachable: true, accepting: false, draining: true, connections: 1 };
    expect(health).toEqual({ status: 503, body: { status: 'error', info: {}, error: { realtime }, details: { realtime } } });
    expect(ready.status).toBe(503);
    expect(alice.isOpen).toBe(true);
    await drained;
    expect((await get(`${http}/health`)).body.details.realtime).toEqual({ ...realtime, connections: 0 });
  });

  describe('on the Redis engine', () => {
    let redis: RedisServer;

    beforeAll(async () => {
      redis = await RedisServer.start();
    });

    afterAll(() => redis.close());

    it('is down (503) while Redis is unreachable, and up again once it is back; readiness stays up', async () => {
      await start({ engine: new RedisEngine({ url: redis.url, keyPrefix: 'health-test:', logLevels: [] }) });
      expect((await get(`${http}/health`)).status).toBe(200);

      await redis.stop();
      const down = await until(`${http}/health`, 503);
      const ready = await get(`${http}/health/ready`);
      await redis.startAgain();
      const up = await until(`${http}/health`, 200);

      expect(down.body.details.realtime).toEqual({ status: 'down', engineReachable: false, accepting: true, draining: false, connections: 0 });
      expect(ready.status).toBe(200);
      expect(up.body.details.realtime).toMatchObject({ status: 'up', engineReachable: true });
    });
  });

  it('tells the same without terminus, through RealtimeHealth', async () => {
    await start();
    const health = node!.get(RealtimeHealth);

    expect(health.status()).toEqual({ engineReachable: true, accepting: true, draining: false, connections: 0 });
    expect([health.isHealthy(), health.isReady()]).toEqual([true, true]);
    void node!.get(ConnectionService).drain({ window: 0 });
    expect(health.status()).toMatchObject({ accepting: false, draining: true });
    expect([health.isHealthy(), health.isReady()]).toEqual([false, false]);
  });
});

describe('the demo: GET /health', () => {
  let demo: DemoServer;

  beforeEach(async () => {
    demo = await DemoServer.start();
  });

  afterEach(() => demo.stop());

  it('answers 200 while the demo takes connections, and 503 once it drains', async () => {
    const client = await TestClient.connect(`${demo.ws}?token=${await demo.tokenFor('alice')}`);
    expect(await get(`${demo.http}/health`)).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect((await get(`${demo.http}/health/ready`)).status).toBe(200);

    const drained = demo.get(ConnectionService).drain({ window: 400 });
    const during = await get(`${demo.http}/health`);
    await drained;

    expect(during).toMatchObject({ status: 503, body: { status: 'error', details: { realtime: { draining: true } } } });
    expect((await get(`${demo.http}/health/ready`)).status).toBe(503);
    expect((await client.waitClosed()).code).toBe(1012);
  });
});
