import { Logger } from '@nestjs/common';
import { resolve } from 'path';
import { RedisEngine } from '@nest-realtime/redis';
import { loadDemoConfig, logLevelsFrom, toRealtimeOptions } from './demo.config';

describe('demo config', () => {
  let warn: jest.SpyInstance;

  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });

  afterEach(() => jest.restoreAllMocks());

  it('has defaults for everything, and warns about the development secret', () => {
    const config = loadDemoConfig({});
    expect(config).toEqual({ port: 3000, jwtSecret: expect.any(String), heartbeat: {}, logLevel: 'log', pageDir: resolve('dist/apps/demo/page') });
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('JWT_SECRET is not set'));
  });

  it('reads every variable', () => {
    const config = loadDemoConfig({
      PORT: '3456',
      JWT_SECRET: 's3cret',
      HEARTBEAT_INTERVAL_MS: '1000',
      HEARTBEAT_TIMEOUT_MS: '3000',
      LOG_LEVEL: 'debug',
      PAGE_DIR: '/srv/page',
    });
    expect(config).toEqual({ port: 3456, jwtSecret: 's3cret', heartbeat: { interval: 1000, timeout: 3000 }, logLevel: 'debug', pageDir: '/srv/page' });
    expect(warn).not.toHaveBeenCalled();
  });

  it.each([
    ['HEARTBEAT_INTERVAL_MS', 'abc', 'HEARTBEAT_INTERVAL_MS must be a positive integer; got "abc"'],
    ['HEARTBEAT_INTERVAL_MS', '0', 'HEARTBEAT_INTERVAL_MS must be a positive integer'],
    ['HEARTBEAT_TIMEOUT_MS', '1.5', 'HEARTBEAT_TIMEOUT_MS must be a positive integer'],
    ['HEARTBEAT_TIMEOUT_MS', '-5', 'HEARTBEAT_TIMEOUT_MS must be a positive integer'],
    ['PORT', '70000', 'PORT must be an integer from 0 to 65535'],
    ['LOG_LEVEL', 'info', 'LOG_LEVEL must be one of verbose, debug, log, warn, error'],
  ])('fails fast on a bad %s (%s)', (name, value, message) => {
    expect(() => loadDemoConfig({ JWT_SECRET: 'x', [name]: value })).toThrow(message);
  });

  it('runs on the Redis engine when REDIS_URL is set, and in memory otherwise', async () => {
    const authenticate = () => null;
    const clustered = toRealtimeOptions(loadDemoConfig({ JWT_SECRET: 'x', REDIS_URL: 'redis://127.0.0.1:6390' }), authenticate);
    const single = toRealtimeOptions(loadDemoConfig({ JWT_SECRET: 'x' }), authenticate);

    expect(clustered.engine).toBeInstanceOf(RedisEngine);
    expect(single.engine).toBeUndefined();
    await clustered.engine!.close();
    expect(() => loadDemoConfig({ JWT_SECRET: 'x', REDIS_URL: 'localhost:6379' })).toThrow('REDIS_URL must be a redis:// or rediss:// URL');
  });

  it('wants a heartbeat timeout longer than the interval', () => {
    expect(() => loadDemoConfig({ HEARTBEAT_INTERVAL_MS: '5000', HEARTBEAT_TIMEOUT_MS: '5000' })).toThrow(
      'HEARTBEAT_TIMEOUT_MS must be greater than HEARTBEAT_INTERVAL_MS (5000)',
    );
  });

  it('shows the named level and every more severe one', () => {
    expect(logLevelsFrom('log')).toEqual(['log', 'warn', 'error', 'fatal']);
    expect(logLevelsFrom('error')).toEqual(['error', 'fatal']);
    expect(logLevelsFrom('verbose')).toHaveLength(6);
  });

  it('leaves unset heartbeat values to the library', () => {
    const authenticate = () => null;
    const options = toRealtimeOptions(loadDemoConfig({ JWT_SECRET: 'x', HEARTBEAT_INTERVAL_MS: '1000' }), authenticate);
    expect(options).toEqual(
      expect.objectContaining({
        path: '/realtime',
        authenticate,
        heartbeat: { interval: 1000 },
        channels: [
          { pattern: 'room:*', presence: true, publish: 'members', history: { size: 100, ttl: 120_000 } },
          { pattern: 'private:*', private: true, publish: 'server' },
        ],
        logLevels: ['log', 'warn', 'error', 'fatal'],
      }),
    );
  });

  it('allows its own address by default, and only the ALLOWED_ORIGINS when they are set', () => {
    const authenticate = () => null;
    const byDefault = toRealtimeOptions(loadDemoConfig({ JWT_SECRET: 'x', PORT: '4000' }), authenticate);
    const listed = toRealtimeOptions(
      loadDemoConfig({ JWT_SECRET: 'x', ALLOWED_ORIGINS: ' https://chat.example.com, https://*.example.org ,' }),
      authenticate,
    );

    expect(byDefault.origins).toEqual({ allow: ['http://localhost:4000', 'http://127.0.0.1:4000'], sameOrigin: true, allowMissing: true });
    expect(listed.origins).toEqual({ allow: ['https://chat.example.com', 'https://*.example.org'], sameOrigin: false, allowMissing: true });
  });

  it.each(['example.com', 'https://example.com/path', ','])('fails fast on ALLOWED_ORIGINS %p', (value) => {
    expect(() => loadDemoConfig({ JWT_SECRET: 'x', ALLOWED_ORIGINS: value })).toThrow('ALLOWED_ORIGINS must be a comma-separated list of origins');
  });

  it('limits frames to 64 KiB and rates, and renews credentials with the given function', () => {
    const reauthenticate = () => null;
    const options = toRealtimeOptions(loadDemoConfig({ JWT_SECRET: 'x' }), () => null, reauthenticate);

    expect(options.maxFrameBytes).toBe(65536);
    expect(options.rateLimit).toEqual(expect.objectContaining({ maxBreaches: 10 }));
    expect(options.reauthenticate).toBe(reauthenticate);
  });
});
