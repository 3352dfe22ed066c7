import { resolveRealtimeOptions } from './realtime-options.resolver';
import { optionsFailure as failure } from '../testing/internal/option-failure';
import { A_FUNCTION, A_POSITIVE_NUMBER, AN_INTEGER, AN_OBJECT, INVALID_MODULE_OPTION as invalid, ONE_OF, TRUE_OR_FALSE } from '../realtime.messages';
import { RATE_CLASSES } from './security-options.resolver';

describe('security options', () => {
  it('has production defaults: origin checks, rate limits and limits on, compression off, no middleware', () => {
    const options = resolveRealtimeOptions();

    expect(options.origins).toEqual({ allow: [], sameOrigin: true, allowMissing: true });
    expect(options.rateLimit).toEqual({
      connection: {
        all: { frames: { burst: 100, perSecond: 50 }, bytes: { burst: 2 * 1048576, perSecond: 1048576 } },
        publish: { frames: { burst: 50, perSecond: 20 } },
        join: { frames: { burst: 50, perSecond: 10 } },
        presence: { frames: { burst: 20, perSecond: 5 } },
      },
      client: {
        all: { frames: { burst: 300, perSecond: 150 }, bytes: { burst: 6 * 1048576, perSecond: 3 * 1048576 } },
        publish: { frames: { burst: 150, perSecond: 60 } },
        join: { frames: { burst: 150, perSecond: 30 } },
        presence: { frames: { burst: 60, perSecond: 15 } },
      },
      maxBreaches: 20,
      breachWindow: 10_000,
    });
    expect(options.limits).toEqual({
      maxConnections: 10_000,
      maxConnectionsPerIp: 0,
      maxConnectionsPerClient: 20,
      maxChannelsPerConnection: 100,
      maxPendingBytes: 4 * 1024 * 1024,
      maxDepth: 32,
      handshakeTimeout: 10_000,
      idleTimeout: 0,
      trustProxy: false,
      proxyHeader: 'x-forwarded-for',
    });
    expect(options.compression).toBe(false);
    expect(options.middleware).toEqual([]);
    expect(options.reauthenticate).toBeUndefined();
  });

  it('sizes the default byte buckets from maxFrameBytes', () => {
    const options = resolveRealtimeOptions({ maxFrameBytes: 65536 });

    expect(options.rateLimit && options.rateLimit.connection.all?.bytes).toEqual({ burst: 131072, perSecond: 65536 });
  });

  it('merges rate limits bucket by bucket, and turns off what is false', () => {
    const options = resolveRealtimeOptions({
      rateLimit: { connection: { publish: { frames: { burst: 5, perSecond: 1 }, bytes: { burst: 2_000_000, perSecond: 1000 } }, presence: false }, client: false },
    });
    const rateLimit = options.rateLimit as Exclude<typeof options.rateLimit, false>;

    expect(rateLimit.connection.publish).toEqual({ frames: { burst: 5, perSecond: 1 }, bytes: { burst: 2_000_000, perSecond: 1000 } });
    expect(rateLimit.connection.presence).toBeUndefined();
    expect(rateLimit.connection.join).toEqual({ frames: { burst: 50, perSecond: 10 } });
    expect(rateLimit.client).toEqual({});
    expect(resolveRealtimeOptions({ rateLimit: false }).rateLimit).toBe(false);
  });

  it('reads trustProxy as a list of addresses, CIDRs and range names, true, or a function', () => {
    const trusts = (trustProxy: unknown, address: string) => {
      const resolved = resolveRealtimeOptions({ limits: { trustProxy: trustProxy as never } }).limits.trustProxy;
      return resolved !== false && resolved(address);
    };
    const check = (address: string) => address === '192.0.2.1';

    expect(trusts(['10.0.0.0/8', '2001:db8::/32', '203.0.113.7'], '10.2.3.4')).toBe(true);
    expect(trusts(['10.0.0.0/8', '2001:db8::/32', '203.0.113.7'], '2001:db8::1')).toBe(true);
    expect(trusts(['10.0.0.0/8', '2001:db8::/32', '203.0.113.7'], '203.0.113.8')).toBe(false);
    expect(trusts(['loopback'], '127.0.0.1')).toBe(true);
    expect(trusts(true, '::1')).toBe(true);
    expect(trusts(true, '192.168.1.1')).toBe(true);
    expect(trusts(true, 'fd00::1')).toBe(true);
    expect(trusts(true, '169.254.0.1')).toBe(false);
    expect(trusts(true, '203.0.113.7')).toBe(false);
    expect(resolveRealtimeOptions({ limits: { trustProxy: check } }).limits.trustProxy).toBe(check);
    expect(resolveRealtimeOptions({ limits: { trustProxy: [] } }).limits.trustProxy).toBe(false);
    expect(resolveRealtimeOptions({ limits: { proxyHeader: 'forwarded' } }).limits.proxyHeader).toBe('forwarded');
  });

  it('fills in compression defaults for true', () => {
    expect(resolveRealtimeOptions({ compression: true }).compression).toEqual({
      threshold: 1024,
      level: 3,
      memLevel: 8,
      windowBits: 15,
      contextTakeover: false,
      concurrency: 10,
    });
  });

  it.each<[string, unknown, string, string, unknown]>([
    ['origins not an object', { origins: 'same' }, 'origins', AN_OBJECT(true), 'same'],
    [
      'an origin with a path',
      { origins: { allow: ['https://x.com/app'] } },
      'origins.allow[0]',
      '"*", "null" or scheme://host[:port], with * for subdomains or a port',
      'https://x.com/app',
    ],
    ['origins.sameOrigin not a boolean', { origins: { sameOrigin: 'yes' } }, 'origins.sameOrigin', TRUE_OR_FALSE, 'yes'],
    ['an unknown rate class', { rateLimit: { connection: { chat: {} } } }, 'rateLimit.connection.chat', ONE_OF(RATE_CLASSES), 'chat'],
    [
      'a bucket without perSecond',
      { rateLimit: { connection: { all: { frames: { burst: 5 } } } } },
      'rateLimit.connection.all.frames',
      '{burst, perSecond} or false',
      { burst: 5 },
    ],
    [
      'a zero refill',
      { rateLimit: { connection: { all: { frames: { burst: 5, perSecond: 0 } } } } },
      'rateLimit.connection.all.frames.perSecond',
      A_POSITIVE_NUMBER,
      0,
    ],
    [
      'a byte burst under maxFrameBytes',
      { maxFrameBytes: 4096, rateLimit: { client: { all: { bytes: { burst: 1000, perSecond: 1000 } } } } },
      'rateLimit.client.all.bytes.burst',
      'at least maxFrameBytes (4096), or a frame that large could never pass',
      1000,
    ],
    ['maxBreaches zero', { rateLimit: { maxBreaches: 0 } }, 'rateLimit.maxBreaches', AN_INTEGER(1), 0],
    ['a negative connection limit', { limits: { maxConnections: -1 } }, 'limits.maxConnections', AN_INTEGER(0), -1],
    ['a tiny maxPendingBytes', { limits: { maxPendingBytes: 10 } }, 'limits.maxPendingBytes', AN_INTEGER(1024), 10],
    ['a fractional idle timeout', { limits: { idleTimeout: 1.5 } }, 'limits.idleTimeout', AN_INTEGER(0), 1.5],
    [
      'trustProxy as a string',
      { limits: { trustProxy: '10.0.0.0/8' } },
      'limits.trustProxy',
      'true, false, a function (address) => boolean, or an array of addresses, CIDR ranges and loopback, private, linklocal',
      '10.0.0.0/8',
    ],
    [
      'a trustProxy entry that is no address',
      { limits: { trustProxy: ['10.0.0.0/8', 'proxy.internal'] } },
      'limits.trustProxy[1]',
      'an IP address ("203.0.113.7", "2001:db8::1"), a CIDR range ("10.0.0.0/8", "fd00::/8") or one of loopback, private, linklocal',
      'proxy.internal',
    ],
    [
      'a trustProxy prefix too long',
      { limits: { trustProxy: ['10.0.0.0/33'] } },
      'limits.trustProxy[0]',
      'an IP address ("203.0.113.7", "2001:db8::1"), a CIDR range ("10.0.0.0/8", "fd00::/8") or one of loopback, private, linklocal',
      '10.0.0.0/33',
    ],
    ['an unknown proxyHeader', { limits: { proxyHeader: 'x-real-ip' } }, 'limits.proxyHeader', ONE_OF(['x-forwarded-for', 'forwarded']), 'x-real-ip'],
    ['compression level 0', { compression: { level: 0 } }, 'compression.level', AN_INTEGER(1, 9), 0],
    ['middleware not a list', { middleware: {} }, 'middleware', 'an array of middleware instances or classes', {}],
    [
      'a middleware without hooks',
      { middleware: [{ handle: () => undefined }] },
      'middleware[0]',
      'a class, or an object with at least one of upgrade, refused, opened, frame, closed',
      { handle: () => undefined },
    ],
    ['reauthenticate not a function', { reauthenticate: 'jwt' }, 'reauthenticate', A_FUNCTION('(token, connection) => {clientId, expiresAt?}'), 'jwt'],
    [
      'a channel rule private: false with an authorizer',
      { channels: [{ pattern: 'p:*', private: false, authorize: () => true }] },
      'channels[0].private',
      'true or left out when the rule has an authorizer',
      false,
    ],
    [
      'a channel authorize that is no function',
      { channels: [{ pattern: 'p:*', authorize: true }] },
      'channels[0].authorize',
      'a function ({clientId, claims, channel, meta}) => boolean',
      true,
    ],
  ])('refuses %s with a message naming the option', (_case, raw, name, expected, got) => {
    expect(failure(raw)).toBe(invalid(name, expected, got));
  });

  it('makes a channel rule with an authorizer private', () => {
    const authorize = () => true;
    const [rule] = resolveRealtimeOptions({ channels: [{ pattern: 'p:*', authorize }] }).channels;

    expect(rule.options).toEqual({ presence: false, publish: 'members', limit: 0, requiredMeta: [], private: true, authorize });
  });
});
