import { Injectable, Logger, LoggerService } from '@nestjs/common';
import type { InboundFrame, RealtimeMiddleware, UpgradeContext } from '@nest-realtime/core';
import { ConnectionService, MetricsMiddleware, RealtimeConnection, UpgradeRejection } from '@nest-realtime/core';
import { userFromQuery } from './support/auth';
import { RealtimeTestApp } from './support/realtime-app';
import { upgradeStatus } from './support/test-client';

/** An application service a middleware injects. */
@Injectable()
class Moderation {
  readonly banned = new Set(['mallory']);
  readonly bannedWords = ['spoiler'];
  readonly seen: string[] = [];
}

/** Registered as a provider of the application, so Nest injects its service. */
@Injectable()
class ModerationMiddleware implements RealtimeMiddleware {
  constructor(private readonly moderation: Moderation) {}

  async upgrade(context: UpgradeContext, next: () => Promise<void>): Promise<void> {
    if (this.moderation.banned.has(context.identity?.clientId ?? '')) context.refuse(403, 'You are banned.');
    await next();
  }

  opened(connection: RealtimeConnection): void {
    this.moderation.seen.push(`opened ${connection.clientId}`);
  }

  frame(context: InboundFrame, next: () => unknown): unknown {
    if (JSON.stringify(context.data ?? null).includes(this.moderation.bannedWords[0])) {
      context.refuse('forbidden', 'Mind the spoilers.');
      return undefined;
    }
    return next();
  }

  closed(connection: RealtimeConnection, code: number): void {
    this.moderation.seen.push(`closed ${connection.clientId} ${code}`);
  }
}

/** Not a provider anywhere: the module creates it, with what RealtimeModule can inject. */
@Injectable()
class CountingMiddleware implements RealtimeMiddleware {
  static instance?: CountingMiddleware;
  frames = 0;

  constructor(readonly connections: ConnectionService) {
    CountingMiddleware.instance = this;
  }

  frame(_context: InboundFrame, next: () => unknown): unknown {
    this.frames++;
    return next();
  }
}

/** An asynchronous frame middleware: frames must still reach their handlers in order. */
const slowAudit = {
  events: [] as string[],
  async frame(context: InboundFrame, next: () => unknown): Promise<unknown> {
    await new Promise((resolve) => setImmediate(resolve));
    slowAudit.events.push(context.event);
    return next();
  },
};

const throwing: RealtimeMiddleware = {
  frame(context, next) {
    if (context.event === 'app:explode') throw new Error('middleware bug');
    return next();
  },
};

describe('application middleware', () => {
  let rt: RealtimeTestApp;

  beforeEach(async () => {
    slowAudit.events = [];
    rt = await RealtimeTestApp.start(
      { authenticate: userFromQuery, middleware: [ModerationMiddleware, CountingMiddleware, slowAudit, throwing] },
      { providers: [Moderation, ModerationMiddleware] },
    );
  });

  afterEach(() => rt.close());

  it('gets its services injected and refuses an upgrade with its own status, after authentication', async () => {
    expect(await upgradeStatus(rt.urlWith({ user: 'mallory' }))).toBe(403);
    expect(await upgradeStatus(rt.url)).toBe(401);
    expect((await rt.connect({ user: 'alice' })).isOpen).toBe(true);
    expect(rt.get(Moderation).seen).toEqual(['opened alice']);
  });

  it('refuses a frame with its own error, and the handler never runs', async () => {
    const alice = await rt.connect({ user: 'alice' });
    await alice.request('channel:join', { channel: 'films' });

    const reply = await alice.request('channel:publish', { channel: 'films', payload: 'spoiler: the butler did it' });

    expect(reply).toEqual({ ok: false, error: { code: 'forbidden', message: 'Mind the spoilers.' } });
    await alice.roundTrip();
    expect(alice.frames.filter((frame) => frame.event === 'channel:message')).toEqual([]);
  });

  it('is told of closes with their code', async () => {
    const alice = await rt.connect({ user: 'alice' });
    const released = rt.released(alice.connectionId);

    await alice.closeAndWait(4100);
    await released;

    expect(rt.get(Moderation).seen).toEqual(['opened alice', 'closed alice 4100']);
  });

  it('creates a middleware class that is no provider, with its dependencies', async () => {
    const alice = await rt.connect({ user: 'alice' });
    await alice.roundTrip();

    expect(CountingMiddleware.instance?.connections).toBe(rt.get(ConnectionService));
    expect(CountingMiddleware.instance?.frames).toBe(1);
  });

  it('keeps the order of frames through an asynchronous middleware', async () => {
    const alice = await rt.connect({ user: 'alice' });
    const mark = alice.mark();

    alice.sendTogether([
      { event: 'channel:join', data: { channel: 'room' }, ref: 'j' },
      { event: 'channel:publish', data: { channel: 'room', payload: 'hi' }, ref: 'p' },
      { event: 'channel:leave', data: { channel: 'room' }, ref: 'l' },
    ]);
    await alice.next((frame) => frame.ref === 'l', mark);

    expect(alice.since(mark).filter((frame) => frame.event === 'reply').map((frame) => [frame.ref, frame.data.ok])).toEqual([
      ['j', true],
      ['p', true],
      ['l', true],
    ]);
    expect(slowAudit.events).toEqual(['channel:join', 'channel:publish', 'channel:leave']);
  });

  it('answers internal when a middleware throws, and keeps the connection and the process going', async () => {
    const alice = await rt.connect({ user: 'alice' });

    expect(await alice.request('app:explode', {})).toEqual({ ok: false, error: { code: 'internal', message: 'Internal server error' } });
    expect((await alice.request('connection:ping', { t: 1 })).ok).toBe(true);
  });
});

describe('a flood behind a slow middleware', () => {
  it('stops reading the socket while frames wait, then answers every one of them in order', async () => {
    let sawPaused = false;
    const slow: RealtimeMiddleware = {
      async frame(context, next) {
        sawPaused ||= context.connection.socket.isPaused;
        await new Promise((resolve) => setImmediate(resolve));
        return next();
      },
    };
    const rt = await RealtimeTestApp.start({ rateLimit: false, middleware: [slow] });
    try {
      const client = await rt.connect();
      const mark = client.mark();

      client.sendTogether(Array.from({ length: 300 }, (_, i) => ({ event: 'connection:ping', data: { t: i }, ref: `p${i}` })));
      await client.next((frame) => frame.ref === 'p299', mark);

      expect(client.since(mark).filter((frame) => frame.event === 'reply').map((frame) => frame.ref)).toEqual(Array.from({ length: 300 }, (_, i) => `p${i}`));
      expect(sawPaused).toBe(true);
    } finally {
      await rt.close();
    }
  });
});

describe('middleware that does not pass an upgrade on', () => {
  it('refuses the upgrade with 403 instead of letting it through', async () => {
    const rt = await RealtimeTestApp.start({ middleware: [{ upgrade: () => undefined }] });
    try {
      expect(await upgradeStatus(rt.url)).toBe(403);
      expect(rt.get(ConnectionService).count()).toBe(0);
    } finally {
      await rt.close();
    }
  });

  it('answers 503 when an upgrade middleware throws something else than an UpgradeRejection', async () => {
    const rt = await RealtimeTestApp.start({
      middleware: [
        {
          upgrade: (context) => {
            if (context.request.url?.includes('boom')) throw new Error('bug');
            if (context.request.url?.includes('teapot')) throw new UpgradeRejection(418, "I'm a teapot");
          },
        },
      ],
    });
    try {
      expect(await upgradeStatus(`${rt.url}?boom`)).toBe(503);
      expect(await upgradeStatus(`${rt.url}?teapot`)).toBe(418);
    } finally {
      await rt.close();
    }
  });
});

describe('metrics and logging', () => {
  let rt: RealtimeTestApp;
  let lines: Array<{ level: string; message: string; context?: string }>;

  beforeEach(async () => {
    rt = await RealtimeTestApp.start({ authenticate: userFromQuery, logLevels: ['log', 'debug', 'warn', 'error'] });
    lines = [];
    const capture = (level: string) => (message: unknown, context?: string) => lines.push({ level, message: String(message), context });
    const logger: LoggerService = { log: capture('log'), debug: capture('debug'), warn: capture('warn'), error: capture('error'), verbose: capture('verbose') };
    Logger.overrideLogger(logger);
  });

  afterEach(async () => {
    await rt.close();
    Logger.overrideLogger(false);
  });

  const access = () => lines.filter((line) => line.context === 'RealtimeAccess').map((line) => ({ level: line.level, ...JSON.parse(line.message) }));

  it('counts upgrades, frames, refusals and closes', async () => {
    const metrics = rt.get(MetricsMiddleware);
    await upgradeStatus(rt.url);
    const alice = await rt.connect({ user: 'alice' });
    alice.send('not json');
    await alice.request('channel:join', { channel: 'x' });
    const released = rt.released(alice.connectionId);
    await alice.closeAndWait();
    await released;

    expect(metrics.snapshot()).toEqual({
      connectionsOpen: 0,
      connectionsOpened: 1,
      connectionsClosed: 1,
      upgradesRefused: { 401: 1 },
      framesIn: 2,
      bytesIn: expect.any(Number),
      framesRefused: { bad_frame: 1 },
      closes: { 1000: 1 },
    });
  });

  it('writes one structured line per connection and per refused upgrade, and one per frame at debug', async () => {
    await upgradeStatus(rt.url, { origin: 'https://evil.example' });
    const alice = await rt.connect({ user: 'alice' });
    await alice.request('channel:join', { channel: 'x' });
    const released = rt.released(alice.connectionId);
    await alice.closeAndWait();
    await released;

    expect(access()).toEqual([
      { level: 'log', msg: 'upgrade refused', status: 403, reason: expect.any(String), ip: '127.0.0.1', transport: 'h1', origin: 'https://evil.example' },
      { level: 'debug', msg: 'connection opened', connectionId: alice.connectionId, clientId: 'alice', ip: '127.0.0.1', transport: 'h1' },
      { level: 'debug', msg: 'frame', connectionId: alice.connectionId, event: 'channel:join', ref: 'r1', bytes: expect.any(Number) },
      {
        level: 'log',
        msg: 'connection closed',
        connectionId: alice.connectionId,
        clientId: 'alice',
        ip: '127.0.0.1',
        transport: 'h1',
        code: 1000,
        durationMs: expect.any(Number),
        framesIn: 1,
        bytesIn: expect.any(Number),
        framesOut: 3,
        bytesOut: expect.any(Number),
      },
    ]);
  });
});
