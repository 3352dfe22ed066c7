import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { RealtimeAdapter } from '@nest-realtime/core';
import type { PresenceState } from '@nest-realtime/protocol';
import { AppModule } from '../apps/demo/src/app.module';
import { TestClient, upgradeStatus } from './support/test-client';

const JSON_HEADERS = { 'content-type': 'application/json' };

describe('demo app', () => {
  const savedSecret = process.env.JWT_SECRET;
  let app: INestApplication;
  let http: string;
  let ws: string;

  beforeAll(() => {
    // A set secret keeps the development-secret warning out of the test output.
    process.env.JWT_SECRET = 'e2e-secret';
  });

  afterAll(() => {
    if (savedSecret === undefined) delete process.env.JWT_SECRET;
    else process.env.JWT_SECRET = savedSecret;
  });

  beforeEach(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    app.useWebSocketAdapter(new RealtimeAdapter(app));
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address();
    http = `http://127.0.0.1:${port}`;
    ws = `ws://127.0.0.1:${port}/realtime`;
  });

  afterEach(() => app.close());

  function post(path: string, body: unknown): Promise<Response> {
    return fetch(`${http}${path}`, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(body) });
  }

  async function tokenFor(user: string): Promise<string> {
    const response = await post('/auth/token', { user });
    expect(response.status).toBe(200);
    return ((await response.json()) as { token: string }).token;
  }

  async function memberOf(room: string, user: string): Promise<TestClient> {
    const client = await TestClient.connect(`${ws}?token=${await tokenFor(user)}`);
    const joined = await client.request('channel:join', { channel: `room:${room}`, meta: { name: user } });
    expect(joined.ok).toBe(true);
    return client;
  }

  describe('auth', () => {
    it('issues a token whose user becomes the clientId', async () => {
      const client = await TestClient.connect(`${ws}?token=${await tokenFor('alice')}`);
      expect(client.welcome.data.clientId).toBe('alice');
    });

    it('accepts the token in an Authorization header too', async () => {
      const client = await TestClient.connect(ws, { headers: { authorization: `Bearer ${await tokenFor('bob')}` } });
      expect(client.welcome.data.clientId).toBe('bob');
    });

    it.each([
      ['an empty name', ''],
      ['a space', 'a b'],
      ['more than 32 characters', 'x'.repeat(33)],
      ['a number', 42],
    ])('refuses a user with %s (400)', async (_why, user) => {
      const response = await post('/auth/token', { user });
      expect(response.status).toBe(400);
    });

    it('refuses an upgrade without a token or with a bad one (401)', async () => {
      expect(await upgradeStatus(ws)).toBe(401);
      expect(await upgradeStatus(`${ws}?token=not-a-jwt`)).toBe(401);
      const token = await tokenFor('mallory');
      const forged = `${token.slice(0, token.lastIndexOf('.'))}.${'A'.repeat(43)}`;
      expect(await upgradeStatus(`${ws}?token=${forged}`)).toBe(401);
      expect(await upgradeStatus(ws, { headers: { authorization: 'Bearer nope' } })).toBe(401);
    });
  });

  describe('rooms over HTTP', () => {
    it('shows who joined a room', async () => {
      const alice = await memberOf('lobby', 'alice');
      const response = await fetch(`${http}/rooms/lobby/presence`);
      expect(response.status).toBe(200);
      const presence = (await response.json()) as PresenceState;
      expect(Object.keys(presence)).toEqual(['alice']);
      expect(presence.alice.metas).toEqual([
        expect.objectContaining({ name: 'alice', connectionId: alice.welcome.data.connectionId }),
      ]);
    });

    it('shows an empty room as an empty state', async () => {
      const response = await fetch(`${http}/rooms/empty/presence`);
      expect(await response.json()).toEqual({});
    });

    it('publishes to the members with from: null', async () => {
      const alice = await memberOf('lobby', 'alice');
      const message = alice.nextEvent('channel:message', (data) => data.channel === 'room:lobby');
      const response = await post('/rooms/lobby/messages', { payload: { text: 'from the server' } });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ delivered: 1 });
      expect((await message).data).toEqual(
        expect.objectContaining({ channel: 'room:lobby', from: null, payload: { text: 'from the server' } }),
      );
    });

    it('refuses a message without a payload (400)', async () => {
      const response = await post('/rooms/lobby/messages', {});
      expect(response.status).toBe(400);
    });

    it.each([
      ['a space', 'bad%20name'],
      ['a colon', 'a:b'],
      ['more than 64 characters', 'x'.repeat(65)],
    ])('refuses a room name with %s (400)', async (_why, name) => {
      expect((await fetch(`${http}/rooms/${name}/presence`)).status).toBe(400);
      expect((await post(`/rooms/${name}/messages`, { payload: 1 })).status).toBe(400);
    });
  });

  describe('chat:shout', () => {
    it('publishes the upper-cased text from the shouter', async () => {
      const alice = await memberOf('lobby', 'alice');
      const bob = await memberOf('lobby', 'bob');
      const heard = bob.nextEvent('channel:message', (data) => data.channel === 'room:lobby');
      const reply = await alice.request('chat:shout', { room: 'lobby', text: 'hello' });
      expect(reply).toEqual({ ok: true, result: { delivered: 2 } });
      expect((await heard).data).toEqual(expect.objectContaining({ from: 'alice', payload: 'HELLO' }));
    });

    it('answers bad data with invalid, listing the fields', async () => {
      const alice = await memberOf('lobby', 'alice');
      const reply = await alice.request('chat:shout', { room: 'not a room', text: '' });
      expect(reply.ok).toBe(false);
      expect(reply.error?.code).toBe('invalid');
      const fields = (reply.error?.details as { field: string }[]).map((detail) => detail.field);
      expect([...new Set(fields)].sort()).toEqual(['room', 'text']);
    });

    it('refuses a text longer than 500 characters', async () => {
      const alice = await memberOf('lobby', 'alice');
      const reply = await alice.request('chat:shout', { room: 'lobby', text: 'x'.repeat(501) });
      expect(reply.error).toEqual(expect.objectContaining({ code: 'invalid', details: [expect.objectContaining({ field: 'text' })] }));
    });

    it('refuses a shout into a room the connection has not joined', async () => {
      const alice = await memberOf('lobby', 'alice');
      const reply = await alice.request('chat:shout', { room: 'elsewhere', text: 'hello' });
      expect(reply.error?.code).toBe('not_joined');
    });
  });
});
