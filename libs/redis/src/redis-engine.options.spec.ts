import { resolveRedisEngineOptions } from './redis-engine.options';

describe('RedisEngine options', () => {
  it('has a default for everything', () => {
    expect(resolveRedisEngineOptions()).toEqual({
      url: 'redis://127.0.0.1:6379',
      redis: {},
      keyPrefix: 'realtime:',
      nodeTtl: 10_000,
      historyMetaTtl: 86_400_000,
      connectTimeout: 10_000,
      nodeId: expect.stringMatching(/^\S+:\d+:[0-9a-f]{6}$/),
      logLevels: ['log', 'warn', 'error', 'fatal'],
    });
  });

  it.each<[Record<string, unknown>, string]>([
    [{ url: 'localhost:6379' }, 'RedisEngine: option "url" must be a redis:// or rediss:// URL; got "localhost:6379".'],
    [{ nodeTtl: 100 }, 'RedisEngine: option "nodeTtl" must be an integer ≥ 300; got 100.'],
    [{ keyPrefix: 'a b' }, 'RedisEngine: option "keyPrefix" must be 1 to 64 characters without spaces; got "a b".'],
    [{ historyMetaTtl: '1d' }, 'RedisEngine: option "historyMetaTtl" must be an integer ≥ 1000; got "1d".'],
    [{ logLevels: ['loud'] }, 'RedisEngine: option "logLevels" must be an array of verbose, debug, log, warn, error, fatal; got ["loud"].'],
  ])('refuses %j, naming the option', (options, message) => {
    expect(() => resolveRedisEngineOptions(options)).toThrow(message);
  });
});
