import type { IncomingMessage } from 'http';
import { setFlagsFromString } from 'v8';
import { runInNewContext } from 'vm';
import { WebSocket } from 'ws';
import type { AuthResult } from '@nest-realtime/core';
import { ChannelService, ConnectionService } from '@nest-realtime/core';
import { userFromQuery } from './support/auth';
import { RealtimeTestApp } from './support/realtime-app';
import { TestClient, upgradeStatus } from './support/test-client';

setFlagsFromString('--expose-gc');
/** A full garbage collection, so that a memory reading shows what is still held and not what awaits collection. */
const gc = runInNewContext('gc') as () => void;

function heldBufferBytes(): number {
  gc();
  return process.memoryUsage().arrayBuffers;
}

/** Authenticates the `user` query parameter after a turn of the event loop, so that upgrades overlap. */
function slowUser(request: IncomingMessage): Promise<AuthResult | null> {
  return new Promise((resolve) => setImmediate(() => resolve(userFromQuery(request))));
}

describe('connection limits at the upgrade', () => {
  let rt: RealtimeTestApp;

  afterEach(() => rt.close());

  it('answers 429 past maxConnections, and takes a connection again once one closed', async () => {
    rt = await RealtimeTestApp.start({ limits: { maxConnections: 2 } });
    const first = await rt.connect();
    await rt.connect();

    expect(await upgradeStatus(rt.url)).toBe(429);
    const released = rt.released(first.connectionId);
    await first.closeAndWait();
    await released;
    expect((await rt.connect()).isOpen).toBe(true);
  });

  it('counts upgrades in progress: of a burst, only as many as the limit get in', async () => {
    rt = await RealtimeTestApp.start({ authenticate: slowUser, limits: { maxConnections: 2 } });

    const outcomes = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => rt.connect({ user: `u${i}` })));

    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(2);
    expect(outcomes.filter((outcome) => outcome.status === 'rejected').map((outcome) => String((outcome as PromiseRejectedResult).reason))).toEqual(
      Array(4).fill('Error: HTTP 429'),
    );
    expect(rt.get(ConnectionService).count()).toBe(2);
  });

  it('answers 429 past maxConnectionsPerIp, per address', async () => {
    rt = await RealtimeTestApp.start({ limits: { maxConnectionsPerIp: 2, trustProxy: true } });
    const from = (ip: string) => ({ headers: { 'x-forwarded-for': `10.0.0.99, ${ip}` } });
    const first = await rt.connect(undefined, from('203.0.113.1'));
    await rt.connect(undefined, from('203.0.113.1'));

    expect(rt.get(ConnectionService).get(first.connectionId)?.ip).toBe('203.0.113.1');
    expect(await upgradeStatus(rt.url, from('203.0.113.1'))).toBe(429);
    expect((await rt.connect(undefined, from('203.0.113.2'))).isOpen).toBe(true);
  });

  it('uses the socket address, not X-Forwarded-For, unless trustProxy is on', async () => {
    rt = await RealtimeTestApp.start({ limits: { maxConnectionsPerIp: 1 } });
    const client = await rt.connect(undefined, { headers: { 'x-forwarded-for': '203.0.113.7' } });

    expect(rt.get(ConnectionService).get(client.connectionId)?.ip).toBe('127.0.0.1');
    expect(await upgradeStatus(rt.url, { headers: { 'x-forwarded-for': '203.0.113.8' } })).toBe(429);
  });

  it('answers 429 past maxConnectionsPerClient, per clientId', async () => {
    rt = await RealtimeTestApp.start({ authenticate: slowUser, limits: { maxConnectionsPerClient: 2 } });
    await Promise.all([rt.connect({ user: 'alice' }), rt.connect({ user: 'alice' })]);

    expect(await upgradeStatus(rt.urlWith({ user: 'alice' }))).toBe(429);
    expect((await rt.connect({ user: 'bob' })).isOpen).toBe(true);
  });

  it('answers 503 to an upgrade whose checks outlast handshakeTimeout, and frees its place', async () => {
    let release!: () => void;
    const stuck = new Promise<void>((resolve) => (release = resolve));
    rt = await RealtimeTestApp.start({
      authenticate: async (request) => {
        if (userFromQuery(request)?.clientId === 'stuck') await stuck;
        return userFromQuery(request);
      },
      limits: { handshakeTimeout: 150, maxConnectionsPerIp: 1 },
    });
    try {
      const started = Date.now();
      expect(await upgradeStatus(rt.urlWith({ user: 'stuck' }))).toBe(503);
      expect(Date.now() - started).toBeGreaterThanOrEqual(150);

      expect((await rt.connect({ user: 'alice' })).isOpen).toBe(true);
    } finally {
      release();
    }
  });
});

describe('limits on open connections', () => {
  let rt: RealtimeTestApp;

  afterEach(() => rt.close());

  it('refuses frames nested deeper than maxDepth as bad_frame, and stays usable', async () => {
    rt = await RealtimeTestApp.start({ limits: { maxDepth: 8 } });
    const client = await rt.connect();
    const nested = (depth: number): unknown => (depth === 0 ? 'leaf' : { down: nested(depth - 1) });

    expect((await client.request('connection:ping', { t: nested(5) })).ok).toBe(true);
    const error = client.nextEvent('error');
    client.send(`{"event":"connection:ping","data":{"t":${'['.repeat(100_000)}${']'.repeat(100_000)}},"ref":"deep"}`);

    expect((await error).data).toEqual({ code: 'bad_frame', message: expect.stringContaining('deeper than 8 levels') });
    expect(client.frames.some((frame) => frame.ref === 'deep')).toBe(false);
    expect((await client.request('connection:ping', { t: 'still here' })).ok).toBe(true);
  });

  it('does not count brackets inside strings as nesting', async () => {
    rt = await RealtimeTestApp.start({ limits: { maxDepth: 4 } });
    const client = await rt.connect();

    expect(await client.request('connection:ping', { t: '[[[[[[{{{{{{ "\\" [[[[' })).toEqual({ ok: true, result: { t: '[[[[[[{{{{{{ "\\" [[[[' } });
  });

  it('closes with 4003 a connection that only heartbeats for idleTimeout, not one that works', async () => {
    rt = await RealtimeTestApp.start({ limits: { idleTimeout: 200 }, cleanup: { interval: 20 }, rateLimit: false });
    const idle = await rt.connect();
    const busy = await rt.connect();
    const opened = Date.now();

    const heartbeats = (async () => {
      while (idle.isOpen) await idle.request('connection:ping', { t: Date.now() }).catch(() => undefined);
    })();
    const work = (async () => {
      let n = 0;
      while (idle.isOpen) await busy.request('channel:join', { channel: `c${n++ % 5}` }).catch(() => undefined);
    })();
    const closed = await idle.waitClosed();
    await Promise.all([heartbeats, work]);

    expect(closed).toEqual({ code: 4003, reason: 'idle for 200 ms' });
    expect(Date.now() - opened).toBeGreaterThanOrEqual(200);
    expect(busy.isOpen).toBe(true);
  });
});

describe('a slow consumer', () => {
  const FRAME_PAYLOAD = 32 * 1024;
  const FRAMES = 2000;
  const MAX_PENDING = 1024 * 1024;
  let rt: RealtimeTestApp;

  afterEach(() => rt.close());

  /** A reader that only counts messages, so that the test itself holds no memory for them. */
  async function countingReader(): Promise<{ count: () => number; socket: WebSocket }> {
    const client = await rt.connect();
    await client.request('channel:join', { channel: 'feed' });
    let received = 0;
    client.socket.removeAllListeners('message');
    client.socket.on('message', () => received++);
    return { count: () => received, socket: client.socket };
  }

  it('is disconnected with 4002 while the server holds a bounded number of bytes for it, and its neighbour gets everything', async () => {
    rt = await RealtimeTestApp.start({ limits: { maxPendingBytes: MAX_PENDING }, rateLimit: false });
    const channels = rt.get(ChannelService);
    const stalled: TestClient = await rt.connect();
    await stalled.request('channel:join', { channel: 'feed' });
    const neighbour = await countingReader();
    const released = rt.released(stalled.connectionId);
    stalled.freeze();
    const before = heldBufferBytes();

    for (let i = 0; i < FRAMES; i++) {
      await channels.publish('feed', `${i}:${'x'.repeat(FRAME_PAYLOAD)}`);
      await new Promise((resolve) => setImmediate(resolve));
    }
    const held = heldBufferBytes() - before;

    // 64 MiB were published; without the limit the server would hold most of it for the stalled reader.
    expect(held).toBeLessThan(16 * 1024 * 1024);
    expect((await released).code).toBe(4002);
    expect(neighbour.socket.readyState).toBe(WebSocket.OPEN);
    const last = await new Promise<number>((resolve) => {
      const check = () => (neighbour.count() >= FRAMES ? resolve(neighbour.count()) : setImmediate(check));
      check();
    });
    expect(last).toBe(FRAMES);
  });
});

describe('compression', () => {
  let rt: RealtimeTestApp;

  afterEach(() => rt.close());

  /** Bytes the client's TCP socket read while a large, repetitive reply came back. */
  async function wireBytesOfLargeReply(client: TestClient): Promise<number> {
    const tcp = (client.socket as unknown as { _socket: { bytesRead: number } })._socket;
    const before = tcp.bytesRead;
    const text = 'realtime '.repeat(20_000);
    expect(await client.request('connection:ping', { t: text })).toEqual({ ok: true, result: { t: text } });
    return tcp.bytesRead - before;
  }

  it('is off by default: nothing is negotiated and frames go out whole', async () => {
    rt = await RealtimeTestApp.start();
    const client = await rt.connect();

    expect(client.socket.extensions).toBe('');
    expect(await wireBytesOfLargeReply(client)).toBeGreaterThan(2 * 180_000);
  });

  it('negotiates permessage-deflate when on, without context takeover, and sends large frames compressed', async () => {
    rt = await RealtimeTestApp.start({ compression: { threshold: 512, level: 1 } });
    const client = await rt.connect();

    const deflate = (client.socket as unknown as { _extensions: Record<string, { params: Record<string, unknown> }> })._extensions['permessage-deflate'];
    expect(deflate.params).toEqual(expect.objectContaining({ server_no_context_takeover: true }));
    expect(await wireBytesOfLargeReply(client)).toBeLessThan(20_000);
  });
});
