import { HeartbeatMonitor } from './heartbeat.monitor';

describe('HeartbeatMonitor', () => {
  const settings = { interval: 1_000, timeout: 3_000 };
  let pings: number;
  let dead: number[];

  beforeEach(() => {
    jest.useFakeTimers();
    pings = 0;
    dead = [];
  });

  afterEach(() => jest.useRealTimers());

  function monitor(seesPings: boolean): HeartbeatMonitor {
    const heartbeat = new HeartbeatMonitor(settings, seesPings, { ping: () => pings++, dead: (silent) => dead.push(silent) });
    heartbeat.start();
    return heartbeat;
  }

  it('sends connection:ping every interval where ping frames are hidden', () => {
    const heartbeat = monitor(false);
    for (let i = 0; i < 4; i++) {
      jest.advanceTimersByTime(1_000);
      heartbeat.seen();
    }
    expect(pings).toBe(4);
    expect(dead).toEqual([]);
    heartbeat.stop();
  });

  it('only probes after a silent interval where ping frames are seen', () => {
    const heartbeat = monitor(true);
    for (let i = 0; i < 8; i++) {
      jest.advanceTimersByTime(500);
      heartbeat.seen();
    }
    expect(pings).toBe(0);

    jest.advanceTimersByTime(1_000);
    expect(pings).toBe(1);
    heartbeat.stop();
  });

  it('declares the connection dead when nothing was heard for longer than the timeout', () => {
    monitor(false);
    jest.advanceTimersByTime(3_000);
    expect(dead).toEqual([]);

    jest.advanceTimersByTime(500);

    expect(dead).toEqual([3_500]);
    expect(pings).toBe(3);
    jest.advanceTimersByTime(10_000);
    expect(dead).toHaveLength(1);
  });

  it('stays quiet once stopped', () => {
    monitor(false).stop();
    jest.advanceTimersByTime(10_000);
    expect(pings).toBe(0);
    expect(dead).toEqual([]);
  });
});
