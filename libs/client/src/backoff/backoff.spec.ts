import fc from 'fast-check';
import { Backoff } from './backoff';
import { RECONNECT_DEFAULTS, ResolvedReconnectOptions } from './backoff.options';

function backoff(options: Partial<ResolvedReconnectOptions> = {}, now = () => 0): Backoff {
  return new Backoff({ ...RECONNECT_DEFAULTS, ...options }, now);
}

describe('Backoff', () => {
  it('has the documented defaults: 0.5 s base, 2×, 20 s cap, unlimited attempts', () => {
    expect(RECONNECT_DEFAULTS).toEqual(
      expect.objectContaining({ baseDelay: 500, factor: 2, maxDelay: 20_000, maxAttempts: Infinity, stableAfter: 10_000, restartJitter: 5_000 }),
    );
  });

  it('doubles the window per attempt up to the cap', () => {
    const schedule = backoff({ random: () => 0.999999 });
    const delays = Array.from({ length: 9 }, () => schedule.next());
    expect(delays).toEqual([499, 999, 1999, 3999, 7999, 15999, 19999, 19999, 19999]);
  });

  it('draws each delay with full jitter from [0, window)', () => {
    const draws = [0, 0.5, 0.25];
    const schedule = backoff({ random: () => draws.shift()! });
    expect([schedule.next(), schedule.next(), schedule.next()]).toEqual([0, 500, 500]);
  });

  it('keeps every delay within [0, min(maxDelay, base·factor^n)) whatever the options and draws', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5_000 }),
        fc.double({ min: 1, max: 4, noNaN: true }),
        fc.integer({ min: 1, max: 60_000 }),
        fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { minLength: 1, maxLength: 40 }),
        (baseDelay, factor, extra, draws) => {
          const maxDelay = baseDelay + extra;
          const queue = [...draws];
          const schedule = backoff({ baseDelay, factor, maxDelay, random: () => queue.shift()! });
          draws.forEach((_draw, n) => {
            const delay = schedule.next()!;
            const window = Math.min(maxDelay, baseDelay * factor ** n);
            expect(delay).toBeGreaterThanOrEqual(0);
            expect(delay).toBeLessThan(window);
          });
        },
      ),
    );
  });

  it('gives up after maxAttempts failures in a row, and counts again from a connection', () => {
    const schedule = backoff({ maxAttempts: 2, random: () => 0 });
    expect(schedule.next()).toBe(0);
    expect(schedule.next()).toBe(0);
    expect(schedule.next()).toBeNull();

    schedule.connected();
    expect(schedule.next()).toBe(0);
    expect(schedule.attempts).toBe(1);
  });

  it('starts the schedule over after a connection that stayed up for stableAfter', () => {
    let now = 0;
    const schedule = backoff({ stableAfter: 10_000, random: () => 0.999999 }, () => now);
    schedule.next();
    schedule.next();
    schedule.next();

    schedule.connected();
    now += 10_000;

    expect(schedule.next()).toBe(499);
  });

  it('keeps growing after a connection that did not last (a flapping server)', () => {
    let now = 0;
    const schedule = backoff({ stableAfter: 10_000, random: () => 0.999999 }, () => now);
    schedule.next();
    schedule.next();

    schedule.connected();
    now += 9_999;

    expect(schedule.next()).toBe(1999);
  });

  it('spreads the first reconnect after a service restart (1012) over restartJitter', () => {
    const schedule = backoff({ restartJitter: 5_000, random: () => 0.5 });
    expect(schedule.window({ restart: true })).toBe(5_000);
    expect(schedule.next({ restart: true })).toBe(2_500);
    // Attempts after that follow the schedule again.
    expect(schedule.window()).toBe(1_000);
  });

  it('never lets restartJitter shrink a window that has grown past it', () => {
    const schedule = backoff({ restartJitter: 1_000, random: () => 0 });
    for (let i = 0; i < 5; i++) schedule.next();
    expect(schedule.window({ restart: true })).toBe(16_000);
  });

  it('reset starts over as for a new client', () => {
    const schedule = backoff({ maxAttempts: 1, random: () => 0.999999 });
    schedule.next();
    expect(schedule.next()).toBeNull();

    schedule.reset();

    expect(schedule.next()).toBe(499);
  });
});
