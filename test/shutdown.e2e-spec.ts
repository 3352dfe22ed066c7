import type { ConnectionEvent } from '@nest-realtime/core';
import { ConnectionService } from '@nest-realtime/core';
import { userFromQuery } from './support/auth';
import { RealtimeTestApp } from './support/realtime-app';
import { upgradeStatus } from './support/test-client';

describe('shutdown', () => {
  let rt: RealtimeTestApp;
  let events: ConnectionEvent[];

  beforeEach(async () => {
    rt = await RealtimeTestApp.start({
      authenticate: userFromQuery,
      channels: [{ pattern: 'room:*', presence: true }],
      presence: { batchMs: 0 },
    });
    events = [];
    rt.get(ConnectionService).connection$.subscribe((event) => events.push(event));
  });

  afterEach(() => rt.close());

  it('closes every client with 1001 when the application closes', async () => {
    const clients = await Promise.all(['alice', 'alice', 'bob'].map((user) => rt.connect({ user })));
    await clients[0].request('channel:join', { channel: 'room:1' });
    await clients[2].request('channel:join', { channel: 'room:1' });

    await rt.shutdown();

    for (const client of clients) expect(await client.waitClosed()).toEqual({ code: 1001, reason: 'server going away' });
    const closes = events.filter((event) => event.type === 'close');
    expect(closes.map((event) => event.connectionId).sort()).toEqual(clients.map((client) => client.connectionId).sort());
    expect(closes.every((event) => event.code === 1001)).toBe(true);
  });

  it('closes every client with 1012 after markRestarting', async () => {
    const clients = await Promise.all(['alice', 'bob'].map((user) => rt.connect({ user })));
    rt.get(ConnectionService).markRestarting();

    await rt.shutdown();

    for (const client of clients) expect(await client.waitClosed()).toEqual({ code: 1012, reason: 'service restart' });
    expect(events.filter((event) => event.type === 'close').map((event) => event.code)).toEqual([1012, 1012]);
  });

  it('announces the disconnected state to each client before closing it', async () => {
    const client = await rt.connect({ user: 'alice' });
    await client.next((frame) => frame.event === 'connection:state');
    const mark = client.mark();

    await rt.shutdown();
    await client.waitClosed();

    expect(client.since(mark)).toEqual([{ event: 'connection:state', data: { state: 'disconnected', previous: 'connected', at: expect.any(Number) } }]);
  });

  it('refuses new upgrades with 503 while it waits for peers, and cuts a peer that never answers the close', async () => {
    const polite = await rt.connect({ user: 'alice' });
    const frozen = await rt.connect({ user: 'bob' });
    frozen.freeze();

    const closing = rt.shutdown();
    await polite.waitClosed();
    const status = await upgradeStatus(rt.urlWith({ user: 'carol' }));
    await closing;

    expect(status).toBe(503);
    expect(polite.closed?.code).toBe(1001);
    expect(rt.get(ConnectionService).count()).toBe(0);
  });

  it('closes an application without any connection', async () => {
    await expect(rt.shutdown()).resolves.toBeUndefined();
    expect(events).toEqual([]);
  });
});
