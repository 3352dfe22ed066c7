import type { DrainEvent, RealtimeModuleOptions } from '@nest-realtime/core';
import { ConnectionService, MemoryEngine } from '@nest-realtime/core';
import { INVALID_OPTION } from '@nest-realtime/core/realtime.messages';
import { userFromQuery } from './support/auth';
import { RealtimeTestApp } from './support/realtime-app';
import { TestClient, upgradeStatus } from './support/test-client';

/** When each client saw its close, in ms from `start`, with the code. */
interface Closed {
  at: number;
  code: number;
}

describe('graceful drain', () => {
  let rt: RealtimeTestApp;
  let engine: MemoryEngine;
  let connections: ConnectionService;
  let drains: DrainEvent[];

  async function start(options: RealtimeModuleOptions = {}): Promise<void> {
    engine = new MemoryEngine();
    rt = await RealtimeTestApp.start({
      engine,
      authenticate: userFromQuery,
      channels: [{ pattern: 'room:*', presence: true, history: { size: 100, ttl: 60_000 } }],
      presence: { batchMs: 0 },
      logLevels: [],
      ...options,
    });
    connections = rt.get(ConnectionService);
    drains = [];
    connections.drain$.subscribe((event) => drains.push(event));
  }

  afterEach(() => rt?.close());

  function users(n: number): Promise<TestClient[]> {
    return Promise.all(Array.from({ length: n }, (_, index) => rt.connect({ user: `user${index}` })));
  }

  /** Resolves, for each client, with when (ms after `start`) and how it was closed. */
  function closes(clients: TestClient[], start: number): Promise<Closed[]> {
    return Promise.all(clients.map(async (client) => ({ code: (await client.waitClosed()).code, at: Date.now() - start })));
  }

  it('closes six connections with 1012 spread over a 3 s window, not at once, and resolves once the last is gone', async () => {
    await start();
    const clients = await users(6);

    const start_ = Date.now();
    const drained = connections.drain({ window: 3000 }).then(() => Date.now() - start_);
    const closed = await closes(clients, start_);
    const finishedAt = await drained;

    const times = closed.map((close) => close.at).sort((a, b) => a - b);
    expect(closed.every((close) => close.code === 1012)).toBe(true);
    // Evenly spaced: about 0.43 s, 0.86 s… 2.57 s in; loose bounds for a loaded machine.
    expect(times[0]).toBeGreaterThanOrEqual(350);
    expect(times[5]).toBeLessThan(3000 + 500);
    expect(times[5] - times[0]).toBeGreaterThan(1500);
    expect(new Set(times.map((at) => Math.floor(at / 200))).size).toBeGreaterThan(3);
    // After the last close (the client may hear of it a moment after the server).
    expect(finishedAt).toBeGreaterThanOrEqual(times[5] - 200);
    expect(finishedAt).toBeLessThan(3000 + 500);
    expect(connections.count()).toBe(0);
    expect(drains).toEqual([
      { type: 'start', window: 3000, connections: 6, at: expect.any(Number) },
      { type: 'end', closed: 6, complete: true, at: expect.any(Number) },
    ]);
  });

  it('refuses new upgrades with 503 from the moment a drain starts, and to the end of the node', async () => {
    await start();
    const clients = await users(2);

    const drained = connections.drain({ window: 1500 });

    expect(connections.draining).toBe(true);
    expect(await upgradeStatus(rt.urlWith({ user: 'late' }))).toBe(503);
    expect(clients.every((client) => client.isOpen)).toBe(true);
    await drained;
    expect(await upgradeStatus(rt.urlWith({ user: 'later' }))).toBe(503);
    expect(connections.draining).toBe(true);
  });

  it('keeps the session of each connection in the engine before closing it, for a resume elsewhere', async () => {
    await start();
    const alice = await rt.connect({ user: 'alice' });
    await alice.request('channel:join', { channel: 'room:1', meta: { name: 'Alice' } });
    const { token } = alice.welcome.data.resume;
    // Taken the moment the client sees its close: the session must be there already.
    const sessionAtClose = alice.waitClosed().then(() => engine.sessions.take(token));

    await connections.drain({ window: 300 });

    expect(alice.closed).toEqual({ code: 1012, reason: 'service restart' });
    expect(await sessionAtClose).toEqual({ clientId: 'alice', anonymous: false, channels: [{ channel: 'room:1', meta: { name: 'Alice' }, presence: { name: 'Alice' } }] });
  });

  it('announces the leaves of the drained connections to those still connected', async () => {
    await start();
    // In this order: the first is closed first.
    const first = await rt.connect({ user: 'first' });
    const second = await rt.connect({ user: 'second' });
    await first.request('channel:join', { channel: 'room:1' });
    await second.request('channel:join', { channel: 'room:1' });
    const mark = second.mark();

    const drained = connections.drain({ window: 1500 });
    const leave = await second.eventFrom(mark, 'presence:diff', (data) => Object.keys(data.leaves).length > 0);
    await drained;

    expect(Object.keys(leave.data.leaves)).toEqual(['first']);
    expect(second.closed?.code).toBe(1012);
  });

  it('ends before the window when the connections are gone sooner, counting those that leave by themselves', async () => {
    await start();
    const [leaving, staying] = await users(2);

    const start_ = Date.now();
    const drained = connections.drain({ window: 4000 }).then(() => Date.now() - start_);
    await leaving.closeAndWait();
    const finishedAt = await drained;

    // Alone, the one left is closed half way through (2 s), not at 1.33 s or 2.67 s as one of two.
    expect(staying.closed?.code).toBe(1012);
    expect(finishedAt).toBeGreaterThanOrEqual(1800);
    expect(finishedAt).toBeLessThan(3000);
    expect(connections.count()).toBe(0);
    expect(drains[1]).toEqual({ type: 'end', closed: 1, complete: true, at: expect.any(Number) });
  });

  it('returns the drain under way to a second call, whose window does not count', async () => {
    await start();
    const [client] = await users(1);

    const first = connections.drain({ window: 600 });
    const second = connections.drain({ window: 60_000 });
    await Promise.all([first, second]);

    expect(client.closed?.code).toBe(1012);
    expect(drains.filter((event) => event.type === 'start')).toHaveLength(1);
  });

  it('resolves at once with nothing to close', async () => {
    await start();
    const start_ = Date.now();

    await connections.drain({ window: 5000 });

    expect(Date.now() - start_).toBeLessThan(500);
  });

  it('rejects a window that is not an integer ≥ 0, and drains nothing', async () => {
    await start();

    await expect(connections.drain({ window: -1 })).rejects.toThrow(INVALID_OPTION('ConnectionService.drain', 'window', 'an integer ≥ 0', -1));
    expect(connections.draining).toBe(false);
  });

  describe('at shutdown', () => {
    it('with drain.onShutdown, spreads the closes (1012) over drain.window before the application closes', async () => {
      await start({ drain: { window: 1500, onShutdown: true } });
      const clients = await users(3);

      const start_ = Date.now();
      const shutdown = rt.shutdown().then(() => Date.now() - start_);
      const closed = await closes(clients, start_);
      const finishedAt = await shutdown;

      const times = closed.map((close) => close.at).sort((a, b) => a - b);
      expect(closed.every((close) => close.code === 1012)).toBe(true);
      // 0.375 s, 0.75 s, 1.125 s.
      expect(times[0]).toBeGreaterThanOrEqual(250);
      expect(times[2] - times[0]).toBeGreaterThan(400);
      expect(finishedAt).toBeLessThan(1500 + 1000);
    });

    it.each([
      ['without it', false],
      ["with 'signal', when code calls app.close() (a signal drains: see the cluster suite)", 'signal'],
    ] as const)('%s, closes every connection at once with 1001, as before', async (_when, onShutdown) => {
      await start({ drain: { window: 5000, onShutdown } });
      const clients = await users(3);

      const start_ = Date.now();
      await rt.shutdown();

      for (const client of clients) expect((await client.waitClosed()).code).toBe(1001);
      expect(Date.now() - start_).toBeLessThan(1000);
      expect(drains).toEqual([]);
    });

    it('waits for a drain under way, then closes what is left', async () => {
      await start();
      const clients = await users(2);

      const start_ = Date.now();
      void connections.drain({ window: 1200 });
      await rt.shutdown();

      for (const client of clients) expect((await client.waitClosed()).code).toBe(1012);
      expect(Date.now() - start_).toBeGreaterThanOrEqual(700);
    });
  });
});
