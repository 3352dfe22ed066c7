import { Logger } from '@nestjs/common';
import { loadDemoConfig, logLevelsFrom, toRealtimeOptions } from './demo.config';

describe('demo config', () => {
  let warn: jest.SpyInstance;

  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });

  afterEach(() => jest.restoreAllMocks());

  it('has defaults for everything, and warns about the development secret', () => {
    const config = loadDemoConfig({});
    expect(config).toEqual({ port: 3000, jwtSecret: expect.any(String), heartbeat: {}, logLevel: 'log' });
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('JWT_SECRET is not set'));
  });

  it('reads every variable', () => {
    const config = loadDemoConfig({
      PORT: '3456',
      JWT_SECRET: 's3cret',
      HEARTBEAT_INTERVAL_MS: '1000',
      HEARTBEAT_TIMEOUT_MS: '3000',
      LOG_LEVEL: 'debug',
    });
    expect(config).toEqual({ port: 3456, jwtSecret: 's3cret', heartbeat: { interval: 1000, timeout: 3000 }, logLevel: 'debug' });
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
        channels: [{ pattern: 'room:*', presence: true, publish: 'members' }],
        logLevels: ['log', 'warn', 'error', 'fatal'],
      }),
    );
  });
});
