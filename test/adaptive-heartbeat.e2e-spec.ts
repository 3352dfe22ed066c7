import { ConnectionService } from '@nest-realtime/core';
import { RealtimeTestApp } from './support/realtime-app';
import type { TestClient } from './support/test-client';

const INTERVAL = 200;
/** Well above the lag: a pong that waits a few busy turns of the event loop still comes in time. */
const TIMEOUT = 1_200;
const MAX_INTERVAL = 4 * INTERVAL;
const LAG_THRESHOLD = 60;
/** The simulated load: the server's event loop busy this long out of every few ms, for at most `LOAD_FOR`. */
const BUSY_MS = 2 * LAG_THRESHOLD;
const LOAD_FOR = 8_000;

/** Blocks the event loop (the server's, in this process) with a busy loop in a timer, until stopped or `LOAD_FOR` passed. */
function simulateLoad(): () => void {
  const until = Date.now() + LOAD_FOR;
  const timer = setInterval(() => {
    if (Date.now() > until) return clearInterval(timer);
    const end = Date.now() + BUSY_MS;
    while (Date.now() < end);
  }, 20);
  return () => clearInterval(timer);
}

const announced = (client: TestClient) => client.frames.filter((frame) => frame.event === 'connection:heartbeat').map((frame) => frame.data);

describe('adaptive heartbeat', () => {
  let rt: RealtimeTestApp;

  const start = async (lagThreshold: number) => {
    rt = await RealtimeTestApp.start({
      heartbeat: { interval: INTERVAL, timeout: TIMEOUT, adaptive: { maxInterval: MAX_INTERVAL, lagThreshold } },
      logLevels: ['error'],
    });
  };

  afterEach(() => rt.close());

  it('stretches the interval and timeout under load, tells every client, keeps them, and goes back to normal after', async () => {
    await start(LAG_THRESHOLD);
    const clients = await Promise.all([rt.connect(), rt.connect(), rt.connect()]);
    const stretchedToMax = clients.map((client) => client.nextEvent('connection:heartbeat', (data) => data.interval === MAX_INTERVAL));

    const stopLoad = simulateLoad();
    try {
      await Promise.all(stretchedToMax);
    } finally {
      stopLoad();
    }

    for (const client of clients) {
      expect(announced(client)).toEqual([
        { interval: 2 * INTERVAL, timeout: 2 * TIMEOUT },
        { interval: MAX_INTERVAL, timeout: (MAX_INTERVAL / INTERVAL) * TIMEOUT },
      ]);
    }
    const stretchedWelcome = (await rt.connect()).welcome.data.heartbeat;
    expect(stretchedWelcome).toEqual({ interval: MAX_INTERVAL, timeout: (MAX_INTERVAL / INTERVAL) * TIMEOUT });

    await Promise.all(clients.map((client) => client.eventFrom(0, 'connection:heartbeat', (data) => data.interval === INTERVAL)));

    for (const client of clients) {
      expect(announced(client).slice(-2)).toEqual([
        { interval: 2 * INTERVAL, timeout: 2 * TIMEOUT },
        { interval: INTERVAL, timeout: TIMEOUT },
      ]);
      expect(client.isOpen).toBe(true);
      expect(rt.get(ConnectionService).get(client.connectionId)).toBeDefined();
    }
    expect((await rt.connect()).welcome.data.heartbeat).toEqual({ interval: INTERVAL, timeout: TIMEOUT });
  });

  it('announces nothing while the event loop keeps up', async () => {
    // A bound no unloaded loop reaches, even on a busy 2-core machine running other suites (60 ms can be).
    await start(1_000);
    const client = await rt.connect();

    await client.waitForPings(8);

    expect(announced(client)).toEqual([]);
    expect(client.welcome.data.heartbeat).toEqual({ interval: INTERVAL, timeout: TIMEOUT });
  });
});
