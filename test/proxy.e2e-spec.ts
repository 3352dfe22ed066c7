import { Logger } from '@nestjs/common';
import type { ClientOptions } from 'ws';
import { AuditEvent, AuditService, ConnectionService } from '@nest-realtime/core';
import { LIKELY_PROXY } from '@nest-realtime/core/realtime.messages';
import { RealtimeTestApp } from './support/realtime-app';
import { upgradeStatus } from './support/test-client';

/** Headers as a proxy on 127.0.0.1 (the test's own address) passes them on. */
const forwardedFor = (value: string): ClientOptions => ({ headers: { 'x-forwarded-for': value } });
const forwarded = (value: string): ClientOptions => ({ headers: { forwarded: value } });

describe('the client address behind proxies', () => {
  let rt: RealtimeTestApp;

  afterEach(() => rt.close());

  async function ipOf(options: ClientOptions): Promise<string | undefined> {
    const client = await rt.connect(undefined, options);
    return rt.get(ConnectionService).get(client.connectionId)?.ip;
  }

  it('is read from X-Forwarded-For through every trusted proxy, from the right', async () => {
    rt = await RealtimeTestApp.start({ limits: { trustProxy: ['127.0.0.1', '10.0.0.0/8'] } });

    expect(await ipOf(forwardedFor('203.0.113.5'))).toBe('203.0.113.5');
    expect(await ipOf(forwardedFor('198.51.100.9, 203.0.113.5, 10.1.2.3'))).toBe('203.0.113.5');
    expect(await ipOf(forwardedFor('[2001:DB8::5]:443, 10.1.2.3'))).toBe('2001:db8::5');
    expect(await ipOf({})).toBe('127.0.0.1');
  });

  it('ignores the headers of a peer that is no trusted proxy', async () => {
    rt = await RealtimeTestApp.start({ limits: { trustProxy: ['10.0.0.0/8'] } });

    expect(await ipOf(forwardedFor('203.0.113.5'))).toBe('127.0.0.1');
    expect(await ipOf(forwardedFor('10.0.0.1'))).toBe('127.0.0.1');
  });

  it('stops at the first address that is no trusted proxy, whatever a client writes before it', async () => {
    rt = await RealtimeTestApp.start({ limits: { trustProxy: true } });

    // The client sent "X-Forwarded-For: 198.51.100.1, 10.0.0.7" itself; the proxy added its peer, 203.0.113.66.
    expect(await ipOf(forwardedFor('198.51.100.1, 10.0.0.7, 203.0.113.66'))).toBe('203.0.113.66');
  });

  it('reads RFC 7239 Forwarded instead when proxyHeader says so', async () => {
    rt = await RealtimeTestApp.start({ limits: { trustProxy: ['loopback'], proxyHeader: 'forwarded' } });

    expect(await ipOf(forwarded('for="[2001:db8:cafe::17]:4711";proto=https'))).toBe('2001:db8:cafe::17');
    expect(await ipOf(forwarded('for=198.51.100.1, for=203.0.113.5;by=127.0.0.1'))).toBe('203.0.113.5');
    expect(await ipOf(forwardedFor('203.0.113.5'))).toBe('127.0.0.1');
  });

  it('asks a function which hops are trusted proxies', async () => {
    const asked: string[] = [];
    rt = await RealtimeTestApp.start({
      limits: {
        trustProxy: (address) => {
          asked.push(address);
          return address === '127.0.0.1' || address === '192.0.2.10';
        },
      },
    });

    expect(await ipOf(forwardedFor('203.0.113.5, 192.0.2.10'))).toBe('203.0.113.5');
    expect(asked).toEqual(['127.0.0.1', '192.0.2.10', '203.0.113.5']);
  });

  it.each([
    ['empty', '', '127.0.0.1'],
    ['commas only', ' , ,, ', '127.0.0.1'],
    ['not addresses', 'unknown, _hidden, localhost', '127.0.0.1'],
    ['an unclosed bracket', '[2001:db8::1', '127.0.0.1'],
    ['an address out of range', '300.1.2.3', '127.0.0.1'],
    ['a long list', `${'198.51.100.1,'.repeat(500)}203.0.113.5`, '203.0.113.5'],
  ])('survives an X-Forwarded-For that is %s, and still serves', async (_case, header, ip) => {
    rt = await RealtimeTestApp.start({ limits: { trustProxy: ['loopback'] } });

    expect(await ipOf(forwardedFor(header))).toBe(ip);
    expect(await ipOf(forwarded('for="unclosed, for=;;'))).toBe('127.0.0.1');
    expect(await ipOf({})).toBe('127.0.0.1');
  });
});

describe('per-address limits behind proxies', () => {
  let rt: RealtimeTestApp;

  afterEach(async () => {
    await rt.close();
    jest.restoreAllMocks();
  });

  it('counts each forwarded client, not the proxy', async () => {
    rt = await RealtimeTestApp.start({ limits: { trustProxy: ['loopback'], maxConnectionsPerIp: 2 } });
    const refusals: AuditEvent[] = [];
    rt.get(AuditService).audit$.subscribe((event) => event.type === 'upgrade.refused' && refusals.push(event));

    await rt.connect(undefined, forwardedFor('203.0.113.1'));
    await rt.connect(undefined, forwardedFor('203.0.113.1'));
    expect(await upgradeStatus(rt.url, forwardedFor('203.0.113.1'))).toBe(429);
    // Prepending addresses does not make a client someone else.
    expect(await upgradeStatus(rt.url, forwardedFor('198.51.100.200, 203.0.113.1'))).toBe(429);
    expect((await rt.connect(undefined, forwardedFor('203.0.113.2'))).isOpen).toBe(true);
    expect((await rt.connect(undefined, forwardedFor('203.0.113.3'))).isOpen).toBe(true);
    expect(rt.get(ConnectionService).count()).toBe(4);
    expect(refusals.map((event) => [event.ip, event.status])).toEqual([
      ['203.0.113.1', 429],
      ['203.0.113.1', 429],
    ]);
  });

  it('sets no limit per address by default: 150 clients behind one untrusted proxy all get in', async () => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    rt = await RealtimeTestApp.start();

    const clients = await Promise.all(Array.from({ length: 150 }, (_, i) => rt.connect(undefined, forwardedFor(`203.0.113.${i}`))));

    expect(clients.every((client) => client.isOpen)).toBe(true);
  });
});

describe('the warning about a likely proxy', () => {
  let rt: RealtimeTestApp;
  let warn: jest.SpyInstance;

  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });

  afterEach(async () => {
    await rt.close();
    jest.restoreAllMocks();
  });

  const likelyProxy = () => warn.mock.calls.filter(([message]) => String(message).includes('looks like a proxy'));

  it('is logged once when one address holds more than 100 connections without trustProxy', async () => {
    rt = await RealtimeTestApp.start();

    await Promise.all(Array.from({ length: 100 }, () => rt.connect(undefined, forwardedFor('203.0.113.5'))));
    expect(likelyProxy()).toHaveLength(0);
    await Promise.all(Array.from({ length: 5 }, () => rt.connect(undefined, forwardedFor('203.0.113.5'))));

    expect(likelyProxy()).toEqual([[LIKELY_PROXY('127.0.0.1', 101, true)]]);
    expect(likelyProxy()[0][0]).toContain('set limits.trustProxy to its address');
  });

  it('is not logged with trusted proxies', async () => {
    rt = await RealtimeTestApp.start({ limits: { trustProxy: ['loopback'] } });

    await Promise.all(Array.from({ length: 110 }, () => rt.connect()));

    expect(likelyProxy()).toHaveLength(0);
  });
});
