import { performance } from 'perf_hooks';
import type { ConnectionLifecycle } from '../../services/connection/connection.lifecycle';
import type { RateLimitOptions } from '../../options/security-options.interface';
import { resolveRealtimeOptions } from '../../options/realtime-options.resolver';
import { fakeConnection } from '../../testing/internal/unit-fakes';
import { InboundFrame } from './inbound-frame';
import { RateLimitMiddleware } from './rate-limit.middleware';
import { UpgradeContext } from '../../transport/upgrade/upgrade-context';

describe('RateLimitMiddleware', () => {
  let now: number;
  let kick: jest.Mock;

  beforeEach(() => {
    now = 1000;
    jest.spyOn(performance, 'now').mockImplementation(() => now);
    kick = jest.fn();
  });

  afterEach(() => jest.restoreAllMocks());

  function middleware(rateLimit: RateLimitOptions): RateLimitMiddleware {
    const options = resolveRealtimeOptions({ rateLimit, logLevels: [] });
    return new RateLimitMiddleware(options, { kick } as unknown as ConnectionLifecycle);
  }

  function open(limits: RateLimitMiddleware, id: string, clientId?: string) {
    const { connection } = fakeConnection(id, clientId ?? id);
    const context = new UpgradeContext({ headers: {} } as never, '127.0.0.1');
    if (clientId !== undefined) context.identity = { clientId };
    limits.opened(connection, context);
    return connection;
  }

  /** Sends one frame through the middleware: what it was refused with, if it was. */
  function send(limits: RateLimitMiddleware, connection: ReturnType<typeof open>, event = 'channel:publish', bytes = 10) {
    const context = new InboundFrame(connection, bytes, { event, data: {} });
    let passed = false;
    limits.frame(context, () => (passed = true));
    return passed ? undefined : context.refusal;
  }

  it("refuses a connection's frames over its burst, then again once it has refilled", () => {
    const limits = middleware({ connection: { all: { frames: { burst: 2, perSecond: 1 } } }, client: false });
    const connection = open(limits, 'c1', 'alice');

    expect(send(limits, connection)).toBeUndefined();
    expect(send(limits, connection)).toBeUndefined();
    expect(send(limits, connection)).toEqual({ code: 'rate_limited', message: expect.any(String), details: { retryAfter: 1000 } });
    now += 1000;
    expect(send(limits, connection)).toBeUndefined();
    expect(send(limits, connection)?.code).toBe('rate_limited');
  });

  it('keeps each connection its own buckets and class buckets apart', () => {
    const limits = middleware({ connection: { join: { frames: { burst: 1, perSecond: 1 } } }, client: false });
    const [one, two] = [open(limits, 'c1', 'alice'), open(limits, 'c2', 'alice')];

    expect(send(limits, one, 'channel:join')).toBeUndefined();
    expect(send(limits, one, 'channel:join')?.code).toBe('rate_limited');
    expect(send(limits, one, 'channel:publish')).toBeUndefined();
    expect(send(limits, two, 'channel:join')).toBeUndefined();
  });

  it("shares a clientId's buckets among its connections, not with anonymous ones, and lets them go with the last", () => {
    const limits = middleware({ connection: false, client: { all: { frames: { burst: 2, perSecond: 1 } } } });
    const [one, two] = [open(limits, 'c1', 'alice'), open(limits, 'c2', 'alice')];
    const anonymous = open(limits, 'c3');

    expect(send(limits, one)).toBeUndefined();
    expect(send(limits, two)).toBeUndefined();
    expect(send(limits, one)?.code).toBe('rate_limited');
    expect(send(limits, two)?.code).toBe('rate_limited');
    for (let i = 0; i < 5; i++) expect(send(limits, anonymous)).toBeUndefined();

    limits.closed(one);
    expect(send(limits, two)?.code).toBe('rate_limited');
    limits.closed(two);
    // A new connection of alice's starts with full buckets.
    const three = open(limits, 'c4', 'alice');
    expect(send(limits, three)).toBeUndefined();
    expect(send(limits, three)).toBeUndefined();
    expect(send(limits, three)?.code).toBe('rate_limited');
  });

  it('kicks a connection past maxBreaches within the window, counting afresh in a new window', () => {
    const limits = middleware({ connection: { all: { frames: { burst: 1, perSecond: 0.001 } } }, client: false, maxBreaches: 2, breachWindow: 10_000 });
    const connection = open(limits, 'c1', 'alice');
    send(limits, connection);

    send(limits, connection);
    send(limits, connection);
    expect(kick).not.toHaveBeenCalled();
    now += 10_001;
    send(limits, connection);
    send(limits, connection);
    expect(kick).not.toHaveBeenCalled();
    send(limits, connection);
    expect(kick).toHaveBeenCalledWith(connection, 1008, 'rate limit exceeded again and again');
  });

  it('refills nothing on a clock that goes backwards, and refills every bucket of a connection alike', () => {
    const limits = middleware({
      connection: { all: { frames: { burst: 2, perSecond: 1 } }, join: { frames: { burst: 1, perSecond: 1 } } },
      client: false,
    });
    const connection = open(limits, 'c1', 'alice');
    expect(send(limits, connection, 'channel:join')).toBeUndefined();
    expect(send(limits, connection, 'channel:publish')).toBeUndefined();

    now -= 5000;
    expect(send(limits, connection)?.code).toBe('rate_limited');
    now += 5000 + 1000;
    // One second: a token back in the `all` bucket and one in the `join` bucket, used or not since.
    expect(send(limits, connection, 'channel:join')).toBeUndefined();
    expect(send(limits, connection, 'channel:publish')?.code).toBe('rate_limited');
    now += 2000;
    expect(send(limits, connection, 'channel:publish')).toBeUndefined();
    expect(send(limits, connection, 'channel:join')).toBeUndefined();
    expect(send(limits, connection, 'channel:join')?.code).toBe('rate_limited');
  });

  it('passes the frames of a connection it never saw open', () => {
    const limits = middleware({ connection: { all: { frames: { burst: 1, perSecond: 1 } } }, client: false });
    const { connection } = fakeConnection('c9', 'zoe');

    expect(send(limits, connection)).toBeUndefined();
    expect(send(limits, connection)).toBeUndefined();
  });
});
