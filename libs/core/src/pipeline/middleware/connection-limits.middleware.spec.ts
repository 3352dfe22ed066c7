import { Logger } from '@nestjs/common';
import type { IncomingMessage } from 'http';
import type { RealtimeModuleOptions } from '../../options/realtime-options.interface';
import { resolveRealtimeOptions } from '../../options/realtime-options.resolver';
import { LIKELY_PROXY } from '../../realtime.messages';
import type { ConnectionRegistry } from '../../services/connection/connection.registry';
import { UpgradeContext } from '../../transport/upgrade/upgrade-context';
import { ConnectionLimitsMiddleware, LIKELY_PROXY_CONNECTIONS, LIKELY_PROXY_WARNING_INTERVAL } from './connection-limits.middleware';

const registry = { countOf: () => 0 } as unknown as ConnectionRegistry;

function limits(options: RealtimeModuleOptions = {}): ConnectionLimitsMiddleware {
  return new ConnectionLimitsMiddleware(resolveRealtimeOptions(options), registry);
}

function upgrade(middleware: ConnectionLimitsMiddleware, ip: string, headers: Record<string, string> = {}): Promise<UpgradeContext> {
  const context = new UpgradeContext({ headers } as IncomingMessage, ip);
  return middleware.upgrade(context, async () => undefined).then(() => context);
}

async function upgrades(middleware: ConnectionLimitsMiddleware, count: number, ip: string, headers?: Record<string, string>): Promise<UpgradeContext[]> {
  const contexts: UpgradeContext[] = [];
  for (let i = 0; i < count; i++) contexts.push(await upgrade(middleware, ip, headers));
  return contexts;
}

describe('connection limits', () => {
  let warn: jest.SpyInstance;

  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });

  afterEach(() => {
    jest.restoreAllMocks();
    jest.useRealTimers();
  });

  it('sets no limit per address by default', async () => {
    const middleware = limits({ logLevels: ['error'] });

    await expect(upgrades(middleware, 500, '10.0.0.1')).resolves.toHaveLength(500);
  });

  it('refuses an address past maxConnectionsPerIp, and takes it again once one is abandoned', async () => {
    const middleware = limits({ limits: { maxConnectionsPerIp: 2 } });
    const [first] = await upgrades(middleware, 2, '203.0.113.7');

    await expect(upgrade(middleware, '203.0.113.7')).rejects.toEqual(expect.objectContaining({ status: 429 }));
    await expect(upgrade(middleware, '203.0.113.8')).resolves.toBeInstanceOf(UpgradeContext);
    first.abandon();
    await expect(upgrade(middleware, '203.0.113.7')).resolves.toBeInstanceOf(UpgradeContext);
  });

  it('warns once about an address holding more than 100 connections without trusted proxies', async () => {
    const middleware = limits();

    await upgrades(middleware, LIKELY_PROXY_CONNECTIONS, '10.0.0.2');
    expect(warn).not.toHaveBeenCalled();

    await upgrades(middleware, 20, '10.0.0.2');
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn).toHaveBeenCalledWith(LIKELY_PROXY('10.0.0.2', 101, false));
    expect(warn.mock.calls[0][0]).toContain('set limits.trustProxy to its address');
  });

  it('says when the address sends proxy headers, and warns about each address on its own', async () => {
    const middleware = limits();

    await upgrades(middleware, 101, '10.0.0.2', { 'x-forwarded-for': '203.0.113.7' });
    await upgrades(middleware, 101, '10.0.0.3', { forwarded: 'for=203.0.113.7' });

    expect(warn.mock.calls).toEqual([[LIKELY_PROXY('10.0.0.2', 101, true)], [LIKELY_PROXY('10.0.0.3', 101, true)]]);
    expect(warn.mock.calls[0][0]).toContain('with X-Forwarded-For or Forwarded headers');
  });

  it('warns again about the same address only after 10 minutes', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const middleware = limits();
    await upgrades(middleware, 101, '10.0.0.2');

    jest.setSystemTime(1_000_000 + LIKELY_PROXY_WARNING_INTERVAL - 1);
    await upgrade(middleware, '10.0.0.2');
    expect(warn).toHaveBeenCalledTimes(1);

    jest.setSystemTime(1_000_000 + LIKELY_PROXY_WARNING_INTERVAL);
    await upgrade(middleware, '10.0.0.2');
    expect(warn).toHaveBeenCalledTimes(2);
    expect(warn).toHaveBeenLastCalledWith(LIKELY_PROXY('10.0.0.2', 103, false));
  });

  it('counts only open connections and upgrades in progress towards the warning', async () => {
    const middleware = limits();
    const contexts = await upgrades(middleware, 100, '10.0.0.2');
    contexts.forEach((context) => context.abandon());

    await upgrades(middleware, 100, '10.0.0.2');
    expect(warn).not.toHaveBeenCalled();
  });

  it('does not warn with trusted proxies, or when warnings are not logged', async () => {
    await upgrades(limits({ limits: { trustProxy: ['10.0.0.0/8'] } }), 150, '10.0.0.2');
    await upgrades(limits({ logLevels: ['error'] }), 150, '10.0.0.2');

    expect(warn).not.toHaveBeenCalled();
  });

  it('is on to watch for proxies even with every count limit off, and off when there is nothing to do', () => {
    const off = { maxConnections: 0, maxConnectionsPerIp: 0, maxConnectionsPerClient: 0 };

    expect(limits({ limits: off }).enabled).toBe(true);
    expect(limits({ limits: { ...off, trustProxy: true } }).enabled).toBe(false);
    expect(limits({ limits: off, logLevels: ['error'] }).enabled).toBe(false);
  });
});
