import { Logger } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { resolve } from 'path';
import { RedisEngine } from '@nest-realtime/redis';
import { DemoConfigModule } from './config.module';
import { authorizeRoomStateWrite } from '../rooms/room.channels';
import { DEMO_CONFIG, DemoConfig, DemoConfigError, loadDemoConfig, loadDemoTls, logLevelsFrom, toPusherOptions, toRealtimeOptions } from './demo.config';

const SECRETS = { JWT_SECRET: 'x', ADMIN_TOKEN: 'y', PUSHER_APP_SECRET: 'z' };

describe('demo config', () => {
  let warn: jest.SpyInstance;

  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });

  afterEach(() => jest.restoreAllMocks());

  it('has defaults for everything, and warns about the development secrets and admin token', () => {
    const config = loadDemoConfig({});

    expect(config).toEqual({
      port: 3000,
      jwtSecret: expect.any(String),
      adminToken: expect.any(String),
      drainMs: 10_000,
      presenceAwayMs: 300_000,
      heartbeat: {},
      logLevel: 'log',
      pageDir: resolve('dist/apps/demo/page'),
      pusherApp: { id: 'app-id', key: 'app-key', secret: 'app-secret' },
    });
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('JWT_SECRET is not set'));
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('ADMIN_TOKEN is not set'));
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('PUSHER_APP_SECRET is not set'));
    expect(warn).toHaveBeenCalledTimes(3);
  });

  it('reads every variable', () => {
    const config = loadDemoConfig({
      PORT: '3456',
      JWT_SECRET: 's3cret',
      ADMIN_TOKEN: 'adm1n',
      HEARTBEAT_INTERVAL_MS: '1000',
      HEARTBEAT_TIMEOUT_MS: '3000',
      LOG_LEVEL: 'debug',
      PAGE_DIR: '/srv/page',
      ALLOWED_ORIGINS: 'https://chat.example.com',
      REDIS_URL: 'redis://127.0.0.1:6390',
      DRAIN_MS: '0',
      PRESENCE_AWAY_MS: '1500',
      TRUST_PROXY: '10.0.0.0/8, 2001:db8::1 ,loopback',
      PUSHER_APP_ID: '1234567',
      PUSHER_APP_KEY: 'a1b2c3d4e5',
      PUSHER_APP_SECRET: 'pusher-s3cret',
      TLS_CERT: '/etc/demo/cert.pem',
      TLS_KEY: 'tls/key.pem',
    });

    expect(config).toEqual({
      port: 3456,
      jwtSecret: 's3cret',
      adminToken: 'adm1n',
      drainMs: 0,
      presenceAwayMs: 1500,
      heartbeat: { interval: 1000, timeout: 3000 },
      logLevel: 'debug',
      pageDir: '/srv/page',
      allowedOrigins: ['https://chat.example.com'],
      redisUrl: 'redis://127.0.0.1:6390',
      trustProxy: ['10.0.0.0/8', '2001:db8::1', 'loopback'],
      pusherApp: { id: '1234567', key: 'a1b2c3d4e5', secret: 'pusher-s3cret' },
      tls: { certFile: '/etc/demo/cert.pem', keyFile: resolve('tls/key.pem') },
    });
    expect(warn).not.toHaveBeenCalled();
  });

  it('takes empty and blank variables for unset, and trims the others', () => {
    const config = loadDemoConfig({ ...SECRETS, PORT: '', LOG_LEVEL: '   ', DRAIN_MS: ' 2500 ', REDIS_URL: '', TRUST_PROXY: '' });

    expect(config).toEqual(expect.objectContaining({ port: 3000, logLevel: 'log', drainMs: 2500 }));
    expect(config).not.toHaveProperty('redisUrl');
    expect(config).not.toHaveProperty('trustProxy');
  });

  it.each([
    ['HEARTBEAT_INTERVAL_MS', 'abc', 'HEARTBEAT_INTERVAL_MS must be a positive integer; got "abc"'],
    ['HEARTBEAT_INTERVAL_MS', '0', 'HEARTBEAT_INTERVAL_MS must be a positive integer'],
    ['HEARTBEAT_TIMEOUT_MS', '1.5', 'HEARTBEAT_TIMEOUT_MS must be a positive integer'],
    ['HEARTBEAT_TIMEOUT_MS', '-5', 'HEARTBEAT_TIMEOUT_MS must be a positive integer'],
    ['PORT', '70000', 'PORT must be an integer from 0 to 65535; got "70000"'],
    ['PORT', '0x50', 'PORT must be an integer from 0 to 65535; got "0x50"'],
    ['PORT', '1e3', 'PORT must be an integer from 0 to 65535'],
    ['LOG_LEVEL', 'info', 'LOG_LEVEL must be one of verbose, debug, log, warn, error; got "info"'],
    ['DRAIN_MS', '-1', 'DRAIN_MS must be an integer from 0 to 2147483647 (milliseconds); got "-1"'],
    ['DRAIN_MS', '10s', 'DRAIN_MS must be an integer from 0 to 2147483647 (milliseconds)'],
    ['DRAIN_MS', '2147483648', 'DRAIN_MS must be an integer from 0 to 2147483647 (milliseconds)'],
    ['PRESENCE_AWAY_MS', '0', 'PRESENCE_AWAY_MS must be an integer from 1 to 2147483647 (milliseconds); got "0"'],
    ['PRESENCE_AWAY_MS', '5m', 'PRESENCE_AWAY_MS must be an integer from 1 to 2147483647 (milliseconds)'],
    ['REDIS_URL', 'localhost:6379', 'REDIS_URL must be a redis:// or rediss:// URL such as redis://127.0.0.1:6379; got "localhost:6379"'],
    ['REDIS_CLUSTER_NODES', 'redis://10.0.0.1:7000', 'REDIS_CLUSTER_NODES must be a comma-separated list of host:port of Redis Cluster nodes'],
    ['REDIS_CLUSTER_NODES', '10.0.0.1', 'REDIS_CLUSTER_NODES must be a comma-separated list of host:port'],
    ['REDIS_CLUSTER_NODES', ',', 'REDIS_CLUSTER_NODES must be a comma-separated list of host:port'],
    ['TRUST_PROXY', 'proxy.internal', 'TRUST_PROXY must be a comma-separated list of IP addresses, CIDR ranges and loopback, private, linklocal'],
    ['TRUST_PROXY', '10.0.0.0/33', 'TRUST_PROXY must be a comma-separated list'],
    ['TRUST_PROXY', '10.0.0.0/8/8', 'TRUST_PROXY must be a comma-separated list'],
    ['TRUST_PROXY', 'true', 'TRUST_PROXY must be a comma-separated list'],
    ['TRUST_PROXY', ',', 'TRUST_PROXY must be a comma-separated list'],
    ['PUSHER_APP_KEY', 'my key', 'PUSHER_APP_KEY must be letters, digits, ".", "_" and "-" (at most 64); got "my key"'],
    ['PUSHER_APP_KEY', 'key/../admin', 'PUSHER_APP_KEY must be letters, digits'],
    ['PUSHER_APP_ID', 'x'.repeat(65), 'PUSHER_APP_ID must be letters, digits'],
    ['PUSHER_APP_ID', 'app?id=1', 'PUSHER_APP_ID must be letters, digits'],
    ['TLS_CERT', 'cert.pem', 'TLS_CERT must be set together with TLS_KEY (both PEM file paths, for HTTPS with HTTP/2), or unset with it; got "cert.pem"'],
    ['TLS_KEY', 'key.pem', 'TLS_KEY must be set together with TLS_CERT'],
  ])('fails fast on a bad %s (%s)', (name, value, message) => {
    expect(() => loadDemoConfig({ ...SECRETS, [name]: value })).toThrow(message);
  });

  it('names every bad variable in one error, and warns about nothing then', () => {
    let error: unknown;
    try {
      loadDemoConfig({ PORT: 'eighty', LOG_LEVEL: 'loud', DRAIN_MS: '-3' });
    } catch (thrown) {
      error = thrown;
    }

    expect(error).toBeInstanceOf(DemoConfigError);
    expect((error as DemoConfigError).problems.map((problem) => problem.variable)).toEqual(['PORT', 'LOG_LEVEL', 'DRAIN_MS']);
    expect((error as Error).message).toBe(
      [
        'Invalid environment (set these variables right, or unset them for the defaults, and start again):',
        '- PORT must be an integer from 0 to 65535; got "eighty".',
        '- LOG_LEVEL must be one of verbose, debug, log, warn, error; got "loud".',
        '- DRAIN_MS must be an integer from 0 to 2147483647 (milliseconds); got "-3".',
      ].join('\n'),
    );
    expect((error as Error).stack).toBe(`DemoConfigError: ${(error as Error).message}`);
    expect(warn).not.toHaveBeenCalled();
  });

  it('runs on the Redis engine when REDIS_URL or REDIS_CLUSTER_NODES is set, and in memory otherwise', async () => {
    const authenticate = () => null;
    const clustered = toRealtimeOptions(loadDemoConfig({ ...SECRETS, REDIS_URL: 'redis://127.0.0.1:6390' }), authenticate);
    const config = loadDemoConfig({ ...SECRETS, REDIS_CLUSTER_NODES: '10.0.0.1:7000, [::1]:7001,redis-2:7002' });
    const sharded = toRealtimeOptions(config, authenticate);
    const single = toRealtimeOptions(loadDemoConfig(SECRETS), authenticate);

    expect(clustered.engine).toBeInstanceOf(RedisEngine);
    expect(config.redisClusterNodes).toEqual(['10.0.0.1:7000', '[::1]:7001', 'redis-2:7002']);
    expect(sharded.engine).toBeInstanceOf(RedisEngine);
    expect(single.engine).toBeUndefined();
    await Promise.all([clustered.engine!.close(), sharded.engine!.close()]);
  });

  it('refuses REDIS_URL and REDIS_CLUSTER_NODES together, saying to unset one', () => {
    expect(() => loadDemoConfig({ ...SECRETS, REDIS_URL: 'redis://127.0.0.1:6390', REDIS_CLUSTER_NODES: '127.0.0.1:7000' })).toThrow(
      '- REDIS_CLUSTER_NODES must be unset when REDIS_URL is set (one Redis or a Redis Cluster: unset one of them); got "127.0.0.1:7000".',
    );
  });

  it('serves one Pusher app, from the PUSHER_APP_ variables, on the default path', () => {
    const options = toPusherOptions(loadDemoConfig({ ...SECRETS, PUSHER_APP_ID: '42', PUSHER_APP_KEY: 'demo-key' }));

    expect(options).toEqual({ apps: [{ id: '42', key: 'demo-key', secret: 'z' }] });
  });

  it('warns about the development Pusher secret alone when the other secrets are set', () => {
    const config = loadDemoConfig({ JWT_SECRET: 'x', ADMIN_TOKEN: 'y' });

    expect(config.pusherApp).toEqual({ id: 'app-id', key: 'app-key', secret: 'app-secret' });
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/^PUSHER_APP_SECRET is not set: .* Set it outside development\.$/));
  });

  it('wants a heartbeat timeout longer than the interval', () => {
    expect(() => loadDemoConfig({ HEARTBEAT_INTERVAL_MS: '5000', HEARTBEAT_TIMEOUT_MS: '5000' })).toThrow(
      'HEARTBEAT_TIMEOUT_MS must be greater than HEARTBEAT_INTERVAL_MS (5000); got "5000"',
    );
    expect(loadDemoConfig({ ...SECRETS, HEARTBEAT_TIMEOUT_MS: '5000' }).heartbeat).toEqual({ timeout: 5000 });
  });

  it('shows the named level and every more severe one', () => {
    expect(logLevelsFrom('log')).toEqual(['log', 'warn', 'error', 'fatal']);
    expect(logLevelsFrom('error')).toEqual(['error', 'fatal']);
    expect(logLevelsFrom('verbose')).toHaveLength(6);
  });

  it('leaves unset heartbeat values and limits to the library', () => {
    const authenticate = () => null;
    const options = toRealtimeOptions(loadDemoConfig({ ...SECRETS, HEARTBEAT_INTERVAL_MS: '1000' }), authenticate);

    expect(options).toEqual(
      expect.objectContaining({
        path: '/realtime',
        authenticate,
        heartbeat: { interval: 1000 },
        channels: [
          {
            pattern: 'room:*',
            presence: true,
            publish: 'members',
            history: { size: 100, ttl: 120_000 },
            statuses: { statuses: ['online', 'away', 'busy'], initial: 'online', settable: ['online', 'busy'], timeouts: [{ from: ['online'], to: 'away', after: 300_000 }] },
            state: { write: authorizeRoomStateWrite },
          },
          { pattern: 'private:*', private: true, publish: 'server' },
        ],
        logLevels: ['log', 'warn', 'error', 'fatal'],
      }),
    );
    expect(options.limits).toBeUndefined();
  });

  it('moves room members away after PRESENCE_AWAY_MS', () => {
    const [rooms] = toRealtimeOptions(loadDemoConfig({ ...SECRETS, PRESENCE_AWAY_MS: '1500' }), () => null).channels!;

    expect(rooms.statuses?.timeouts).toEqual([{ from: ['online'], to: 'away', after: 1500 }]);
  });

  it('lets room members write the topic only, as text of at most 200 characters', () => {
    const write = (key: string, value?: unknown) => authorizeRoomStateWrite({ key, value });

    expect([write('topic', 'Release day'), write('topic', 'x'.repeat(200)), write('topic')]).toEqual([true, true, true]);
    expect([write('pinned', 'x'), write('pinned')]).toEqual([false, false]);
    expect(() => write('topic', 'x'.repeat(201))).toThrow(expect.objectContaining({ code: 'invalid' }));
    expect(() => write('topic', { text: 'hi' })).toThrow("A room's topic is text of at most 200 characters.");
  });

  it('trusts the TRUST_PROXY proxies, and none by default', () => {
    const options = toRealtimeOptions(loadDemoConfig({ ...SECRETS, TRUST_PROXY: '127.0.0.1,fd00::/8' }), () => null);

    expect(options.limits).toEqual({ trustProxy: ['127.0.0.1', 'fd00::/8'] });
  });

  it('allows its own address by default, and only the ALLOWED_ORIGINS when they are set', () => {
    const authenticate = () => null;
    const byDefault = toRealtimeOptions(loadDemoConfig({ ...SECRETS, PORT: '4000' }), authenticate);
    const listed = toRealtimeOptions(
      loadDemoConfig({ ...SECRETS, ALLOWED_ORIGINS: ' https://chat.example.com, https://*.example.org ,' }),
      authenticate,
    );

    expect(byDefault.origins).toEqual({ allow: ['http://localhost:4000', 'http://127.0.0.1:4000'], sameOrigin: true, allowMissing: true });
    expect(listed.origins).toEqual({ allow: ['https://chat.example.com', 'https://*.example.org'], sameOrigin: false, allowMissing: true });
  });

  it('serves HTTPS when TLS_CERT and TLS_KEY are set, allowing its own https address', () => {
    const env = { ...SECRETS, PORT: '4443', TLS_CERT: 'cert.pem', TLS_KEY: 'key.pem' };
    const options = toRealtimeOptions(loadDemoConfig(env), () => null);

    expect(loadDemoTls(env)).toEqual({ certFile: resolve('cert.pem'), keyFile: resolve('key.pem') });
    expect(loadDemoTls(SECRETS)).toBeUndefined();
    expect(options.origins).toEqual({ allow: ['https://localhost:4443', 'https://127.0.0.1:4443'], sameOrigin: true, allowMissing: true });
  });

  it.each(['example.com', 'https://example.com/path', ','])('fails fast on ALLOWED_ORIGINS %p', (value) => {
    expect(() => loadDemoConfig({ ...SECRETS, ALLOWED_ORIGINS: value })).toThrow('ALLOWED_ORIGINS must be a comma-separated list of origins');
  });

  it('limits frames to 64 KiB and rates, and renews credentials with the given function', () => {
    const reauthenticate = () => null;
    const options = toRealtimeOptions(loadDemoConfig(SECRETS), () => null, reauthenticate);

    expect(options.maxFrameBytes).toBe(65536);
    expect(options.rateLimit).toEqual(expect.objectContaining({ maxBreaches: 10 }));
    expect(options.reauthenticate).toBe(reauthenticate);
  });

  describe('through @nestjs/config', () => {
    const saved = { ...process.env };

    afterEach(() => {
      process.env = { ...saved };
    });

    async function configWith(env: Record<string, string>): Promise<DemoConfig> {
      Object.assign(process.env, env);
      const moduleRef = await Test.createTestingModule({ imports: [DemoConfigModule] }).compile();
      return moduleRef.get<DemoConfig>(DEMO_CONFIG);
    }

    it('gives the checked environment as DEMO_CONFIG, read anew for each application', async () => {
      expect(await configWith({ ...SECRETS, PORT: '4100', DRAIN_MS: '500' })).toEqual(expect.objectContaining({ port: 4100, drainMs: 500, adminToken: 'y' }));
      expect(await configWith({ ...SECRETS, PORT: '4200', TRUST_PROXY: 'private' })).toEqual(
        expect.objectContaining({ port: 4200, trustProxy: ['private'] }),
      );
      expect(process.env.PORT).toBe('4200');
      expect(process.env.LOG_LEVEL).toBe(saved.LOG_LEVEL);
    });

    it('fails the startup with every bad variable named', async () => {
      await expect(configWith({ ...SECRETS, PORT: 'x', TRUST_PROXY: 'proxy.internal' })).rejects.toThrow(
        /Invalid environment[^]*- PORT must be an integer from 0 to 65535; got "x"\.\n- TRUST_PROXY must be a comma-separated list/,
      );
    });
  });
});
