import type { WebSocket } from 'ws';
import { ProtocolEvent } from '@nest-realtime/protocol';
import type { HeartbeatOptions } from '../../options/realtime-options.interface';
import { ChannelRules } from '../../services/channel/channel.rules';
import { ChannelService } from '../../services/channel/channel.service';
import { ConnectionLifecycle } from '../../services/connection/connection.lifecycle';
import { ConnectionStateService } from '../../services/connection/connection-state.service';
import { PresenceService } from '../../services/presence/presence.service';
import { createRealtimeTestBed, FakeSocket, RealtimeTestBed } from '../../testing/internal/unit-fakes';
import { CleanupService } from '../cleanup/cleanup.service';
import { EventLoopLagSampler } from './event-loop-lag.sampler';
import { HeartbeatCadence } from './heartbeat.cadence';
import { HEARTBEAT_SLICES, HeartbeatScheduler, PINGS_PER_SLICE } from './heartbeat.scheduler';

const T0 = Date.UTC(2025, 0, 1);
const INTERVAL = 1000;
const TIMEOUT = 3000;
const CONNECTIONS = 40;
/** Enough connections that ten slices would each ping twice `PINGS_PER_SLICE`. */
const MANY = 2 * HEARTBEAT_SLICES * PINGS_PER_SLICE;

describe('HeartbeatScheduler', () => {
  let bed: RealtimeTestBed;
  let scheduler: HeartbeatScheduler;
  let cadence: HeartbeatCadence;
  let lag: jest.SpyInstance<number, []>;
  /** Ping times, by connection. */
  let pings: Map<string, number[]>;
  let sockets: FakeSocket[];

  /** Starts the scheduler over quiet connections; `answering` ones pong each ping at once. */
  async function start(heartbeat: HeartbeatOptions, answering = false, connections = CONNECTIONS): Promise<void> {
    bed = await createRealtimeTestBed({ heartbeat, logLevels: [] }, [
      ChannelRules,
      PresenceService,
      ChannelService,
      ConnectionStateService,
      CleanupService,
      ConnectionLifecycle,
      HeartbeatCadence,
      HeartbeatScheduler,
    ]);
    scheduler = bed.moduleRef.get(HeartbeatScheduler);
    cadence = bed.moduleRef.get(HeartbeatCadence);
    pings = new Map();
    sockets = [];
    for (let n = 0; n < connections; n++) {
      const { connection, socket } = bed.connect(`c${n}`);
      // Quiet for a whole interval already: each is due for a ping on its first visit.
      connection.lastSeenAt = T0 - INTERVAL;
      socket.ping.mockImplementation(() => {
        pings.set(connection.id, [...(pings.get(connection.id) ?? []), Date.now()]);
        if (answering) connection.lastSeenAt = Date.now();
      });
      sockets.push(socket);
    }
    scheduler.onApplicationBootstrap();
  }

  /** How many pings went out at each instant. */
  function bursts(): number[] {
    const perInstant = new Map<number, number>();
    for (const at of [...pings.values()].flat()) perInstant.set(at, (perInstant.get(at) ?? 0) + 1);
    return [...perInstant.values()];
  }

  beforeEach(() => {
    jest.useFakeTimers({ now: T0 });
    lag = jest.spyOn(EventLoopLagSampler.prototype, 'read').mockReturnValue(0);
    jest.spyOn(EventLoopLagSampler.prototype, 'start').mockImplementation(() => undefined);
  });

  afterEach(() => {
    scheduler.onModuleDestroy();
    jest.restoreAllMocks();
    jest.useRealTimers();
  });

  it(`without adaptive too, spreads the pings over the interval in ${HEARTBEAT_SLICES} slices, each connection once per interval`, async () => {
    await start({ interval: INTERVAL, timeout: TIMEOUT });

    await jest.advanceTimersByTimeAsync(2 * INTERVAL);

    expect(bursts()).toEqual(Array(2 * HEARTBEAT_SLICES).fill(CONNECTIONS / HEARTBEAT_SLICES));
    for (const times of pings.values()) expect(times[1] - times[0]).toBe(INTERVAL);
  });

  it(`pings at most ${PINGS_PER_SLICE} connections at once: ${MANY} take ${MANY / PINGS_PER_SLICE} slices of the interval`, async () => {
    await start({ interval: INTERVAL, timeout: TIMEOUT }, false, MANY);
    const slices = MANY / PINGS_PER_SLICE;

    // The first slice comes a tenth of an interval after the start (no walk has counted the connections yet), the others every 1/20th.
    await jest.advanceTimersByTimeAsync(INTERVAL / HEARTBEAT_SLICES + ((slices - 1) * INTERVAL) / slices);

    expect(pings.size).toBe(MANY);
    expect(Math.max(...bursts())).toBe(PINGS_PER_SLICE);
    expect([...pings.values()].every((times) => times.length === 1)).toBe(true);
  });

  it(`adaptive, spreads the pings of ${CONNECTIONS} connections over the interval in ${HEARTBEAT_SLICES} slices, each connection once per interval`, async () => {
    await start({ interval: INTERVAL, timeout: TIMEOUT, adaptive: {} });

    await jest.advanceTimersByTimeAsync(2 * INTERVAL);

    expect(bursts()).toEqual(Array(2 * HEARTBEAT_SLICES).fill(CONNECTIONS / HEARTBEAT_SLICES));
    for (const times of pings.values()) {
      expect(times).toHaveLength(2);
      expect(times[1] - times[0]).toBe(INTERVAL);
    }
    const firstRound = [...pings.values()].map((times) => times[0] - T0);
    expect(Math.min(...firstRound)).toBe(INTERVAL / HEARTBEAT_SLICES);
    expect(Math.max(...firstRound)).toBe(INTERVAL);
  });

  it('under lag, stretches the interval up to the maximum, tells every connection, and welcomes new ones with it', async () => {
    await start({ interval: INTERVAL, timeout: TIMEOUT, adaptive: { maxInterval: 4 * INTERVAL, lagThreshold: 100 } });
    lag.mockReturnValue(250);

    await jest.advanceTimersByTimeAsync(INTERVAL / HEARTBEAT_SLICES);
    expect(cadence.current).toEqual({ interval: 2 * INTERVAL, timeout: 2 * TIMEOUT });
    await jest.advanceTimersByTimeAsync(2 * INTERVAL);
    await jest.advanceTimersByTimeAsync(8 * INTERVAL);

    expect(cadence.current).toEqual({ interval: 4 * INTERVAL, timeout: 4 * TIMEOUT });
    for (const socket of sockets) {
      expect(socket.framesOf(ProtocolEvent.Heartbeat).map((frame) => frame.data)).toEqual([
        { interval: 2 * INTERVAL, timeout: 2 * TIMEOUT },
        { interval: 4 * INTERVAL, timeout: 4 * TIMEOUT },
      ]);
    }
    const latecomer = new FakeSocket();
    bed.moduleRef.get(ConnectionLifecycle).open(latecomer as unknown as WebSocket, null);
    expect(latecomer.framesOf(ProtocolEvent.Welcome)[0].data.heartbeat).toEqual({ interval: 4 * INTERVAL, timeout: 4 * TIMEOUT });
  });

  it('keeps connections silent past the configured timeout while the stretched one has not passed', async () => {
    await start({ interval: INTERVAL, timeout: TIMEOUT, adaptive: { maxInterval: 4 * INTERVAL } });
    lag.mockReturnValue(250);

    // Nobody answers: silent for 5 s, past 3 s, within the stretched 12 s.
    await jest.advanceTimersByTimeAsync(4 * INTERVAL);

    expect(sockets.every((socket) => socket.close.mock.calls.length === 0)).toBe(true);
    expect(bed.registry.size).toBe(CONNECTIONS);
  });

  it('goes back to the configured values when the lag falls, telling every connection', async () => {
    await start({ interval: INTERVAL, timeout: TIMEOUT, adaptive: { maxInterval: 2 * INTERVAL } }, true);
    lag.mockReturnValue(250);
    await jest.advanceTimersByTimeAsync(INTERVAL / HEARTBEAT_SLICES);
    expect(cadence.current.interval).toBe(2 * INTERVAL);

    lag.mockReturnValue(0);
    await jest.advanceTimersByTimeAsync(3 * 2 * INTERVAL);

    expect(cadence.current).toEqual({ interval: INTERVAL, timeout: TIMEOUT });
    expect(bed.registry.size).toBe(CONNECTIONS);
    expect(sockets[0].framesOf(ProtocolEvent.Heartbeat).map((frame) => frame.data)).toEqual([
      { interval: 2 * INTERVAL, timeout: 2 * TIMEOUT },
      { interval: INTERVAL, timeout: TIMEOUT },
    ]);
  });
});
