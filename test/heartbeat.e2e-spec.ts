import { ChannelService, ConnectionService } from '@nest-realtime/core';
import { RealtimeTestApp } from './support/realtime-app';

const INTERVAL = 50;
const TIMEOUT = 200;
/** Pings that cover well over one timeout: a connection still open after them was not reaped. */
const PINGS_OVER_TIMEOUT = Math.ceil((2 * TIMEOUT) / INTERVAL);

describe('heartbeat', () => {
  let rt: RealtimeTestApp;

  beforeEach(async () => {
    rt = await RealtimeTestApp.start({
      heartbeat: { interval: INTERVAL, timeout: TIMEOUT },
      channels: [{ pattern: 'room:*', presence: true }],
      presence: { batchMs: 0 },
    });
  });

  afterEach(() => rt.close());

  it('announces the configured interval and timeout in the welcome', async () => {
    const client = await rt.connect();

    expect(client.welcome.data.heartbeat).toEqual({ interval: INTERVAL, timeout: TIMEOUT });
  });

  it('keeps a client that answers pings connected over several timeouts', async () => {
    const client = await rt.connect();

    await client.waitForPings(PINGS_OVER_TIMEOUT);

    expect(client.isOpen).toBe(true);
    expect(rt.get(ConnectionService).get(client.connectionId)).toBeDefined();
    expect((await client.request('connection:ping', { t: 1 })).ok).toBe(true);
  });

  it('keeps a client that does not pong but sends a frame now and then', async () => {
    const client = await rt.connect(undefined, { autoPong: false });
    // A browser cannot answer ping frames; it stays alive with connection:ping frames instead.
    client.socket.on('ping', () => client.send({ event: 'connection:ping', data: { t: Date.now() } }));

    await client.waitForPings(PINGS_OVER_TIMEOUT);

    expect(client.isOpen).toBe(true);
    expect(rt.get(ConnectionService).get(client.connectionId)).toBeDefined();
  });

  it('closes with 4000 a client that stops answering pings', async () => {
    const client = await rt.connect(undefined, { autoPong: false });
    const released = rt.released(client.connectionId);

    expect(await client.waitClosed()).toEqual({ code: 4000, reason: 'heartbeat timeout' });
    expect((await released).code).toBe(4000);
    expect(rt.get(ConnectionService).get(client.connectionId)).toBeUndefined();
  });

  it('reaps a frozen client: the other member sees it leave and the service forgets it', async () => {
    const observer = await rt.connect();
    await observer.request('channel:join', { channel: 'room:1' });
    const frozen = await rt.connect(undefined, { autoPong: false });
    await frozen.request('channel:join', { channel: 'room:1', meta: { name: 'frozen' } });
    const released = rt.released(frozen.connectionId);
    const leave = observer.nextEvent('presence:diff', (diff) => frozen.clientId in diff.leaves);

    // It neither answers pings nor the close handshake: only the heartbeat can find out it is gone.
    frozen.freeze();

    expect((await leave).data).toEqual({
      channel: 'room:1',
      joins: {},
      leaves: { [frozen.clientId]: { metas: [{ name: 'frozen', connectionId: frozen.connectionId, onlineAt: expect.any(Number) }], last: true } },
      updates: {},
    });
    expect((await released).code).toBe(4000);
    const connections = rt.get(ConnectionService);
    expect(connections.get(frozen.connectionId)).toBeUndefined();
    expect(connections.ofClient(frozen.clientId)).toEqual([]);
    expect((await rt.get(ChannelService).members('room:1')).map((member) => member.connectionId)).toEqual([observer.connectionId]);
    expect(observer.isOpen).toBe(true);
    expect(frozen.closed).toBeUndefined();
  });
});
