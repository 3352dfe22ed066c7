import { parseClusterNodes, resolveRedisEngineOptions } from './redis-engine.options';

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

  it('takes a Redis Cluster as host:port strings or {host, port}, with its own ioredis options', () => {
    const resolved = resolveRedisEngineOptions({ cluster: { nodes: ['10.0.0.1:7000', { host: 'redis-2', port: 7001 }, '[::1]:7002'], redis: { scaleReads: 'master' } } });

    expect(resolved.cluster).toEqual({
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: 'redis-2', port: 7001 },
        { host: '::1', port: 7002 },
      ],
      redis: { scaleReads: 'master' },
    });
    expect(parseClusterNodes(' 10.0.0.1:7000, ,10.0.0.2:7000 ')).toEqual(['10.0.0.1:7000', '10.0.0.2:7000']);
  });

  it.each<[Record<string, unknown>, string]>([
    [{ url: 'redis://127.0.0.1:6379', cluster: { nodes: ['127.0.0.1:7000'] } }, 'RedisEngine: option "cluster" must be given without "url" and "redis"'],
    [{ redis: {}, cluster: { nodes: ['127.0.0.1:7000'] } }, 'RedisEngine: option "cluster" must be given without "url" and "redis"'],
    [{ cluster: { nodes: [] } }, 'RedisEngine: option "cluster.nodes" must be a non-empty list of "host:port" strings or {host, port} objects; got [].'],
    [{ cluster: { nodes: ['redis://127.0.0.1:7000'] } }, 'option "cluster.nodes" must be a non-empty list of "host:port" strings'],
    [{ cluster: { nodes: [{ host: '127.0.0.1', port: 70000 }] } }, 'option "cluster.nodes" must be a non-empty list'],
    [{ cluster: ['127.0.0.1:7000'] }, 'option "cluster.nodes" must be a non-empty list'],
    [{ cluster: { nodes: ['127.0.0.1:7000'] }, keyPrefix: 'app{1}:' }, 'option "keyPrefix" must be 1 to 64 characters without spaces or braces on a cluster'],
  ])('refuses the cluster option %j, saying why', (options, message) => {
    expect(() => resolveRedisEngineOptions(options)).toThrow(message);
  });
});
