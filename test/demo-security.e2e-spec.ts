import { INestApplication, Logger, LoggerService } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { Test } from '@nestjs/testing';
import type { AddressInfo } from 'net';
import { RealtimeAdapter } from '@nest-realtime/core';
import { AppModule } from '../apps/demo/src/app.module';
import { TestClient, upgradeStatus } from './support/test-client';

const JSON_HEADERS = { 'content-type': 'application/json' };

/** The demo app for real on a loopback port, with its environment set while it boots. */
async function startDemo(env: Record<string, string> = {}): Promise<{ app: INestApplication; http: string; ws: string }> {
  const saved = Object.fromEntries(Object.keys(env).map((name) => [name, process.env[name]]));
  Object.assign(process.env, env);
  try {
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    app.useWebSocketAdapter(new RealtimeAdapter(app));
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as AddressInfo;
    return { app, http: `http://127.0.0.1:${port}`, ws: `ws://127.0.0.1:${port}/realtime` };
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

describe('demo app security', () => {
  let demo: Awaited<ReturnType<typeof startDemo>>;
  let clients: TestClient[];
  let logs: Array<{ context?: string; message: string }>;

  beforeEach(async () => {
    demo = await startDemo({ JWT_SECRET: 'security-e2e-secret' });
    clients = [];
    logs = [];
    const record = (message: unknown, context?: string) => logs.push({ context, message: String(message) });
    const logger: LoggerService = { log: record, warn: record, error: record, debug: record, verbose: record };
    Logger.overrideLogger(logger);
  });

  afterEach(async () => {
    await demo.app.close();
    await Promise.all(clients.map((client) => client.terminate()));
    Logger.overrideLogger(false);
  });

  function post(path: string, body: unknown): Promise<Response> {
    return fetch(`${demo.http}${path}`, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(body) });
  }

  async function tokenFor(user: string): Promise<string> {
    return ((await (await post('/auth/token', { user })).json()) as { token: string }).token;
  }

  async function connect(user: string, options: { token?: string; origin?: string } = {}): Promise<TestClient> {
    const client = await TestClient.connect(`${demo.ws}?token=${options.token ?? (await tokenFor(user))}`, options.origin ? { origin: options.origin } : {});
    clients.push(client);
    return client;
  }

  describe('origins', () => {
    it('lets in its own address and clients without an Origin, and refuses other sites with 403', async () => {
      const token = await tokenFor('alice');

      expect((await connect('alice', { token, origin: 'http://localhost:3000' })).isOpen).toBe(true);
      expect((await connect('alice', { token, origin: demo.http })).isOpen).toBe(true);
      expect((await connect('alice', { token })).isOpen).toBe(true);
      expect(await upgradeStatus(`${demo.ws}?token=${token}`, { origin: 'https://evil.example' })).toBe(403);
    });

    it('lets in only ALLOWED_ORIGINS when they are set', async () => {
      await demo.app.close();
      demo = await startDemo({ JWT_SECRET: 'security-e2e-secret', ALLOWED_ORIGINS: 'https://chat.example.com,https://*.example.org' });
      const token = await tokenFor('alice');

      expect((await connect('alice', { token, origin: 'https://chat.example.com' })).isOpen).toBe(true);
      expect((await connect('alice', { token, origin: 'https://eu.example.org' })).isOpen).toBe(true);
      expect(await upgradeStatus(`${demo.ws}?token=${token}`, { origin: 'http://localhost:3000' })).toBe(403);
      expect(await upgradeStatus(`${demo.ws}?token=${token}`, { origin: demo.http })).toBe(403);
    });
  });

  describe('private:<user> channels', () => {
    it('lets a user join their own channel and be notified over HTTP; nobody else joins it or sees a notification', async () => {
      const alice = await connect('alice');
      const bob = await connect('bob');
      expect((await alice.request('channel:join', { channel: 'private:alice' })).ok).toBe(true);
      expect(await bob.request('channel:join', { channel: 'private:alice' })).toEqual({
        ok: false,
        error: { code: 'forbidden', message: 'You may not join "private:alice".' },
      });
      const mark = bob.mark();
      const notified = alice.nextEvent('channel:message');

      const response = await post('/users/alice/notify', { payload: { text: 'your order shipped' } });

      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ delivered: 1 });
      expect((await notified).data).toEqual(expect.objectContaining({ channel: 'private:alice', from: null, payload: { text: 'your order shipped' } }));
      await bob.roundTrip();
      expect(bob.since(mark).filter((frame) => frame.event === 'channel:message')).toEqual([]);
      expect(logs.some((line) => line.context === 'Audit' && line.message.includes('"outcome":"refused"') && line.message.includes('"clientId":"bob"'))).toBe(true);
    });

    it('lets only the server publish to a private channel', async () => {
      const alice = await connect('alice');
      await alice.request('channel:join', { channel: 'private:alice' });

      expect((await alice.request('channel:publish', { channel: 'private:alice', payload: 'x' })).error?.code).toBe('forbidden');
    });

    it('refuses a notification to a bad user name or without a payload (400)', async () => {
      expect((await post('/users/not%20a%20user/notify', { payload: 1 })).status).toBe(400);
      expect((await post('/users/alice/notify', {})).status).toBe(400);
    });
  });

  describe('limits', () => {
    it('closes a connection that sends a frame over 64 KiB with 1009', async () => {
      const alice = await connect('alice');

      alice.send({ event: 'chat:shout', data: { room: 'lobby', text: 'x'.repeat(64 * 1024) } });

      expect((await alice.waitClosed()).code).toBe(1009);
    });

    it('answers a flood with rate_limited, then closes it with 1008', async () => {
      const alice = await connect('alice');

      alice.sendTogether(Array.from({ length: 300 }, (_, i) => ({ event: 'connection:ping', data: { t: i } })));

      expect((await alice.waitClosed()).code).toBe(1008);
      expect(alice.frames.filter((frame) => frame.event === 'error').map((frame) => frame.data.code)).toContain('rate_limited');
    });
  });

  describe('tokens that expire', () => {
    it('refuses an expired token with 401', async () => {
      const expired = await demo.app.get(JwtService).signAsync({ sub: 'alice' }, { expiresIn: -10 });

      expect(await upgradeStatus(`${demo.ws}?token=${expired}`)).toBe(401);
    });

    it('closes the connection with 1008 when its token expires, unless a fresh token extends it', async () => {
      const jwt = demo.app.get(JwtService);
      const shortLived = await jwt.signAsync({ sub: 'alice' }, { expiresIn: 2 });
      const renewed = await connect('alice', { token: await jwt.signAsync({ sub: 'alice' }, { expiresIn: 2 }) });
      const expiring = await connect('alice', { token: shortLived });

      const reply = await renewed.request('connection:reauth', { token: await tokenFor('alice') });
      const closed = await expiring.waitClosed();

      expect(reply).toEqual({ ok: true, result: { expiresAt: expect.any(Number) } });
      expect(reply.result.expiresAt).toBeGreaterThan(Date.now() + 3600_000);
      expect(closed).toEqual({ code: 1008, reason: 'credentials expired' });
      expect(renewed.isOpen).toBe(true);
      expect((await renewed.request('connection:reauth', { token: await tokenFor('bob') })).error?.code).toBe('forbidden');
    });
  });
});
