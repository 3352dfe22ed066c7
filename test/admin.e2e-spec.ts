import { CanActivate, ExecutionContext, INestApplication, Injectable, Module, ModuleMetadata } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { AddressInfo } from 'net';
import { ChannelService, RealtimeAdapter, RealtimeModule, RealtimeModuleOptions } from '@nest-realtime/core';
import { RealtimeAdminModule } from '@nest-realtime/core/admin';
import type { RealtimeAdminOptions, RealtimeAdminRoutes } from '@nest-realtime/core/admin';
import { RedisEngine } from '@nest-realtime/redis';
import {
  ADMIN_TOKEN_AND_GUARD,
  ADMIN_TOKEN_OR_GUARD,
  CLIENT_NOT_HERE,
  CONNECTION_NOT_HERE,
  NEEDS_REALTIME_MODULE_FOR_ADMIN,
  NO_PRESENCE,
  NOT_A_MEMBER,
  TOKEN_MISSING,
  TOKEN_REFUSED,
} from '@nest-realtime/core/realtime.messages';
import { userFromQuery } from './support/auth';
import { DemoServer } from './support/demo-server';
import { RedisServer } from './support/redis-server';
import { TestClient, upgradeStatus } from './support/test-client';

const TOKEN = 'admin-e2e-token-0123456789';
const CHANNELS: RealtimeModuleOptions['channels'] = [
  { pattern: 'room:*', presence: true },
  { pattern: 'feed:*', presence: false, history: true },
];

interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

/** A real app with RealtimeModule and RealtimeAdminModule, as an application's module imports them. */
class AdminApp {
  private readonly clients: TestClient[] = [];

  private constructor(
    readonly app: INestApplication,
    readonly http: string,
    readonly ws: string,
  ) {}

  static async start(admin: RealtimeAdminOptions & RealtimeAdminRoutes = { token: TOKEN }, realtime: RealtimeModuleOptions = {}): Promise<AdminApp> {
    return AdminApp.startWith([RealtimeModule.forRoot({ authenticate: userFromQuery, channels: CHANNELS, ...realtime }), RealtimeAdminModule.forRoot(admin)]);
  }

  static async startWith(imports: NonNullable<ModuleMetadata['imports']>): Promise<AdminApp> {
    const moduleRef = await Test.createTestingModule({ imports }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    app.useWebSocketAdapter(new RealtimeAdapter(app));
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as AddressInfo;
    return new AdminApp(app, `http://127.0.0.1:${port}`, `ws://127.0.0.1:${port}/realtime`);
  }

  async connect(user: string): Promise<TestClient> {
    const client = await TestClient.connect(`${this.ws}?user=${encodeURIComponent(user)}`);
    this.clients.push(client);
    return client;
  }

  /** A client that joined these channels. */
  async member(user: string, ...channels: string[]): Promise<TestClient> {
    const client = await this.connect(user);
    for (const channel of channels) {
      const reply = await client.request('channel:join', { channel, meta: { name: user } });
      if (!reply.ok) throw new Error(`join ${channel}: ${JSON.stringify(reply.error)}`);
    }
    return client;
  }

  async get(path: string, token: string | null = TOKEN, headers: Record<string, string> = {}): Promise<Answer> {
    return this.answer(await fetch(`${this.http}${path}`, { headers: { ...(token === null ? {} : { authorization: `Bearer ${token}` }), ...headers } }));
  }

  /** A POST with a JSON body (`body` undefined: none; a string: sent as it is). */
  async post(path: string, body?: unknown, token: string | null = TOKEN, contentType = 'application/json'): Promise<Answer> {
    const headers: Record<string, string> = { 'content-type': contentType };
    if (token !== null) headers.authorization = `Bearer ${token}`;
    const init: RequestInit = { method: 'POST', headers };
    if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
    return this.answer(await fetch(`${this.http}${path}`, init));
  }

  private async answer(response: Response): Promise<Answer> {
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // Not JSON: kept as text.
    }
    return { status: response.status, headers: response.headers, body };
  }

  async close(): Promise<void> {
    try {
      await this.app.close();
    } finally {
      await Promise.all(this.clients.map((client) => client.terminate()));
    }
  }
}

const API = '/admin/api';
const room = (name: string) => `${API}/channels/${encodeURIComponent(name)}`;

describe('the admin API', () => {
  let admin: AdminApp;

  afterEach(() => admin?.close());

  describe('with a token', () => {
    beforeEach(async () => {
      admin = await AdminApp.start();
    });

    const everyRoute: Array<[method: 'GET' | 'POST', path: string, body?: unknown]> = [
      ['GET', `${API}/nodes`],
      ['GET', `${API}/connections`],
      ['GET', `${API}/channels`],
      ['GET', `${room('room:lobby')}/members`],
      ['GET', `${room('room:lobby')}/presence`],
      ['POST', `${API}/connections/c1/disconnect`, {}],
      ['POST', `${API}/clients/alice/disconnect`, {}],
      ['POST', `${room('room:lobby')}/kick`, { clientId: 'alice' }],
      ['POST', `${room('room:lobby')}/publish`, { payload: 'hi' }],
      ['POST', `${API}/drain`, { window: 0 }],
    ];

    it('refuses every route without a token: 401 with a JSON error and a Bearer challenge, and changes nothing', async () => {
      const alice = await admin.member('alice', 'room:lobby');
      for (const [method, path, body] of everyRoute) {
        const answer = method === 'GET' ? await admin.get(path, null) : await admin.post(path, body, null);
        expect({ path, status: answer.status, body: answer.body }).toEqual({
          path,
          status: 401,
          body: { statusCode: 401, error: 'Unauthorized', message: TOKEN_MISSING },
        });
        expect(answer.headers.get('www-authenticate')).toBe('Bearer realm="realtime-admin"');
      }
      await alice.roundTrip();
      expect(alice.isOpen).toBe(true);
      expect(alice.eventsSince('channel:kicked')).toEqual([]);
      expect(alice.eventsSince('channel:message')).toEqual([]);
    });

    it('refuses a wrong token, a token of another case, one with a suffix and another scheme: 401, nothing changed', async () => {
      const alice = await admin.member('alice', 'room:lobby');
      const wrong = ['nope', TOKEN.toUpperCase(), `${TOKEN}x`, TOKEN.slice(0, -1)];
      for (const token of wrong) {
        for (const [method, path, body] of everyRoute) {
          const answer = method === 'GET' ? await admin.get(path, token) : await admin.post(path, body, token);
          expect({ path, status: answer.status, message: answer.body.message }).toEqual({ path, status: 401, message: TOKEN_REFUSED });
        }
      }
      const basic = await admin.get(`${API}/nodes`, null, { authorization: `Basic ${Buffer.from(`admin:${TOKEN}`).toString('base64')}` });
      expect(basic.status).toBe(401);
      const inQuery = await admin.get(`${API}/nodes?token=${TOKEN}`, null);
      expect(inQuery.status).toBe(401);
      await alice.roundTrip();
      expect(alice.isOpen).toBe(true);
      expect(alice.eventsSince('channel:kicked')).toEqual([]);
    });

    it('lists this node, with its connections here and in all', async () => {
      await admin.connect('alice');
      await admin.connect('bob');
      const answer = await admin.get(`${API}/nodes`);
      expect(answer.status).toBe(200);
      expect(answer.headers.get('cache-control')).toBe('no-store');
      const { nodeId } = answer.body;
      expect(answer.body).toEqual({
        nodeId,
        connections: 2,
        connectionsAnywhere: 2,
        draining: false,
        nodes: [{ nodeId, self: true, alive: true, connections: 2, startedAt: expect.any(Number) }],
      });
    });

    it("lists this node's connections in the order they opened, paged, with their channels", async () => {
      const alice = await admin.member('alice', 'room:lobby', 'feed:news');
      const bob = await admin.member('bob', 'room:lobby');
      const carol = await admin.connect('carol');
      const all = await admin.get(`${API}/connections`);
      expect(all.status).toBe(200);
      expect(all.body).toMatchObject({ total: 3, offset: 0, limit: 50, nodeId: expect.any(String) });
      expect(all.body.connections.map((c: any) => [c.id, c.clientId, c.channels.sort()])).toEqual([
        [alice.connectionId, 'alice', ['feed:news', 'room:lobby']],
        [bob.connectionId, 'bob', ['room:lobby']],
        [carol.connectionId, 'carol', []],
      ]);
      expect(all.body.connections[0]).toMatchObject({ state: 'connected', ip: '127.0.0.1', connectedAt: expect.any(Number), claims: {} });

      const second = await admin.get(`${API}/connections?offset=1&limit=1`);
      expect(second.body).toMatchObject({ total: 3, offset: 1, limit: 1 });
      expect(second.body.connections.map((c: any) => c.id)).toEqual([bob.connectionId]);
      const past = await admin.get(`${API}/connections?offset=3`);
      expect(past.body).toMatchObject({ total: 3, connections: [] });
    });

    it('filters connections by clientId, by channel, and by both', async () => {
      const alice1 = await admin.member('alice', 'room:lobby');
      const alice2 = await admin.connect('alice');
      const bob = await admin.member('bob', 'room:lobby');
      const ids = async (query: string) => {
        const answer = await admin.get(`${API}/connections?${query}`);
        expect(answer.status).toBe(200);
        return { total: answer.body.total, ids: answer.body.connections.map((c: any) => c.id) };
      };
      expect(await ids('clientId=alice')).toEqual({ total: 2, ids: [alice1.connectionId, alice2.connectionId] });
      expect(await ids('channel=room%3Alobby')).toEqual({ total: 2, ids: [alice1.connectionId, bob.connectionId] });
      expect(await ids('channel=room%3Alobby&clientId=alice')).toEqual({ total: 1, ids: [alice1.connectionId] });
      expect(await ids('channel=room%3Alobby&limit=1&offset=1')).toEqual({ total: 2, ids: [bob.connectionId] });
      expect(await ids('clientId=nobody')).toEqual({ total: 0, ids: [] });
      expect(await ids('channel=room%3Aempty')).toEqual({ total: 0, ids: [] });
    });

    it('lists channels by name with their member counts, and filters them by prefix', async () => {
      await admin.member('alice', 'room:lobby', 'feed:news');
      await admin.member('bob', 'room:lobby', 'room:b');
      const answer = await admin.get(`${API}/channels`);
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({
        total: 3,
        offset: 0,
        limit: 50,
        channels: [
          { channel: 'feed:news', members: 1, presence: false, history: true },
          { channel: 'room:b', members: 1, presence: true, history: false },
          { channel: 'room:lobby', members: 2, presence: true, history: false },
        ],
      });
      const rooms = await admin.get(`${API}/channels?prefix=room%3A&limit=1&offset=1`);
      expect(rooms.body).toMatchObject({ total: 2, channels: [{ channel: 'room:lobby', members: 2 }] });
    });

    it("shows a channel's members and its presence", async () => {
      const alice = await admin.member('alice', 'room:lobby');
      const bob = await admin.member('bob', 'room:lobby');
      const members = await admin.get(`${room('room:lobby')}/members`);
      expect(members.status).toBe(200);
      expect(members.body).toMatchObject({ channel: 'room:lobby', total: 2, offset: 0, limit: 50 });
      expect(members.body.members.map((m: any) => [m.clientId, m.connectionId, m.meta])).toEqual([
        ['alice', alice.connectionId, { name: 'alice' }],
        ['bob', bob.connectionId, { name: 'bob' }],
      ]);
      const presence = await admin.get(`${room('room:lobby')}/presence`);
      expect(presence.status).toBe(200);
      expect(presence.body.channel).toBe('room:lobby');
      expect(Object.keys(presence.body.presence).sort()).toEqual(['alice', 'bob']);
      expect(presence.body.presence.alice.metas).toEqual([expect.objectContaining({ name: 'alice', connectionId: alice.connectionId })]);
      const nobody = await admin.get(`${room('room:empty')}/presence`);
      expect(nobody.body).toEqual({ channel: 'room:empty', presence: {} });
      const untracked = await admin.get(`${room('feed:news')}/presence`);
      expect(untracked.status).toBe(404);
      expect(untracked.body.message).toBe(NO_PRESENCE('feed:news'));
    });

    it("disconnects a connection: the client's socket closes with 4001 and the reason", async () => {
      const alice = await admin.connect('alice');
      const other = await admin.connect('alice');
      const answer = await admin.post(`${API}/connections/${alice.connectionId}/disconnect`, { reason: 'maintenance' });
      expect(answer).toMatchObject({ status: 200, body: { disconnected: 1 } });
      expect(await alice.waitClosed()).toEqual({ code: 4001, reason: 'maintenance' });
      await other.roundTrip();
      expect(other.isOpen).toBe(true);
    });

    it('disconnects every connection of a client, with a default reason', async () => {
      const [a1, a2, bob] = [await admin.connect('alice'), await admin.connect('alice'), await admin.connect('bob')];
      const answer = await admin.post(`${API}/clients/alice/disconnect`, {});
      expect(answer).toMatchObject({ status: 200, body: { disconnected: 2 } });
      expect(await a1.waitClosed()).toEqual({ code: 4001, reason: 'disconnected by an administrator' });
      expect((await a2.waitClosed()).code).toBe(4001);
      await bob.roundTrip();
      expect(bob.isOpen).toBe(true);
    });

    it('kicks a client from a channel: it gets channel:kicked and is no longer a member; the others stay', async () => {
      const alice = await admin.member('alice', 'room:lobby');
      const bob = await admin.member('bob', 'room:lobby');
      const answer = await admin.post(`${room('room:lobby')}/kick`, { clientId: 'alice', reason: 'spam' });
      expect(answer).toMatchObject({ status: 200, body: { kicked: 1 } });
      expect((await alice.eventFrom(0, 'channel:kicked')).data).toEqual({ channel: 'room:lobby', reason: 'spam' });
      expect(alice.isOpen).toBe(true);
      const members = await admin.get(`${room('room:lobby')}/members`);
      expect(members.body.members.map((m: any) => m.clientId)).toEqual(['bob']);
      await bob.roundTrip();
      expect(bob.eventsSince('channel:kicked')).toEqual([]);
    });

    it('publishes to a channel: its members get the message from the server', async () => {
      const alice = await admin.member('alice', 'room:lobby');
      const outsider = await admin.connect('bob');
      const answer = await admin.post(`${room('room:lobby')}/publish`, { payload: { text: 'hello <b>all</b>' } });
      expect(answer).toMatchObject({ status: 200, body: { delivered: 1 } });
      const message = await alice.eventFrom(0, 'channel:message');
      expect(message.data).toMatchObject({ channel: 'room:lobby', from: null, payload: { text: 'hello <b>all</b>' } });
      const falsy = await admin.post(`${room('room:lobby')}/publish`, { payload: null });
      expect(falsy).toMatchObject({ status: 200, body: { delivered: 1 } });
      await outsider.roundTrip();
      expect(outsider.eventsSince('channel:message')).toEqual([]);
    });

    it('answers bad paging, bad filters and unknown query parameters with 400', async () => {
      await admin.connect('alice');
      const bad = [
        `${API}/connections?limit=0`,
        `${API}/connections?limit=501`,
        `${API}/connections?limit=ten`,
        `${API}/connections?limit=1.5`,
        `${API}/connections?limit=`,
        `${API}/connections?offset=-1`,
        `${API}/connections?offset=1e3`,
        `${API}/connections?limit=1&limit=2`,
        `${API}/connections?clientID=alice`,
        `${API}/connections?channel=has%20space`,
        `${API}/connections?clientId=`,
        `${API}/channels?limit=1000`,
        `${API}/channels?order=name`,
        `${room('room:lobby')}/members?offset=x`,
        `${room('has space')}/members`,
        `${room('x'.repeat(201))}/presence`,
        `${API}/nodes?all=1`,
      ];
      for (const path of bad) {
        const answer = await admin.get(path);
        expect({ path, status: answer.status, error: answer.body.error }).toEqual({ path, status: 400, error: 'Bad Request' });
        expect(typeof answer.body.message).toBe('string');
      }
      expect((await admin.get(`${API}/connections?limit=abc`)).body.message).toBe('"limit" must be an integer from 1 to 500; got "abc".');
    });

    it('answers an unknown connection, client or member with 404, and changes nothing', async () => {
      const alice = await admin.member('alice', 'room:lobby');
      const unknown = await admin.post(`${API}/connections/no-such-connection/disconnect`, {});
      expect(unknown).toMatchObject({ status: 404, body: { statusCode: 404, error: 'Not Found', message: CONNECTION_NOT_HERE('no-such-connection') } });
      const nobody = await admin.post(`${API}/clients/nobody/disconnect`, {});
      expect(nobody).toMatchObject({ status: 404, body: { message: CLIENT_NOT_HERE('nobody') } });
      const notMember = await admin.post(`${room('room:other')}/kick`, { clientId: 'alice' });
      expect(notMember).toMatchObject({ status: 404, body: { message: NOT_A_MEMBER('room:other', 'alice') } });
      await alice.roundTrip();
      expect(alice.isOpen).toBe(true);
      expect(alice.eventsSince('channel:kicked')).toEqual([]);
      expect(await admin.app.get(ChannelService, { strict: false }).isMember('room:lobby', alice.connectionId)).toBe(true);
    });

    it('refuses bad bodies with 400, and a body that is not JSON with 415, and changes nothing', async () => {
      const alice = await admin.member('alice', 'room:lobby');
      const disconnect = `${API}/connections/${alice.connectionId}/disconnect`;
      const cases: Array<[path: string, body: unknown, status: number, contentType?: string]> = [
        [disconnect, { reason: 'x'.repeat(121) }, 400],
        [disconnect, { reason: '' }, 400],
        [disconnect, { reason: 42 }, 400],
        [disconnect, { why: 'x' }, 400],
        [disconnect, [], 400],
        [disconnect, 'null', 400],
        [disconnect, 'reason=x', 415, 'application/x-www-form-urlencoded'],
        [disconnect, '{}', 415, 'text/plain'],
        [disconnect, undefined, 415, ''],
        [`${API}/clients/alice/disconnect`, { reason: ['x'] }, 400],
        [`${room('room:lobby')}/kick`, {}, 400],
        [`${room('room:lobby')}/kick`, { clientId: '' }, 400],
        [`${room('room:lobby')}/kick`, { clientId: 7 }, 400],
        [`${room('room:lobby')}/kick`, { clientId: 'alice', extra: true }, 400],
        [`${room('bad channel')}/kick`, { clientId: 'alice' }, 400],
        [`${room('room:lobby')}/publish`, {}, 400],
        [`${room('room:lobby')}/publish`, { payload: 'x', from: 'alice' }, 400],
        [`${room('bad channel')}/publish`, { payload: 'x' }, 400],
        [`${room('room:lobby')}/publish`, { payload: 'x' }, 415, 'text/plain'],
      ];
      for (const [path, body, status, contentType] of cases) {
        const answer = await admin.post(path, body, TOKEN, contentType);
        expect({ path, body, status: answer.status }).toEqual({ path, body, status });
        expect(typeof answer.body.message).toBe('string');
      }
      await alice.roundTrip();
      expect(alice.isOpen).toBe(true);
      expect(alice.eventsSince('channel:kicked')).toEqual([]);
      expect(alice.eventsSince('channel:message')).toEqual([]);
    });

    it('starts a drain and answers at once: the clients are closed with 1012, new ones refused with 503', async () => {
      const alice = await admin.connect('alice');
      const started = Date.now();
      const answer = await admin.post(`${API}/drain`, { window: 300 });
      expect(answer).toMatchObject({ status: 202, body: { draining: true, started: true } });
      expect(Date.now() - started).toBeLessThan(300);
      expect((await alice.waitClosed()).code).toBe(1012);
      expect(await upgradeStatus(`${admin.ws}?user=bob`)).toBe(503);
      expect((await admin.get(`${API}/nodes`)).body).toMatchObject({ draining: true, connections: 0 });
      const again = await admin.post(`${API}/drain`, {});
      expect(again).toMatchObject({ status: 202, body: { draining: true, started: false } });
    });

    it('refuses a bad drain window with 400 and does not drain', async () => {
      const alice = await admin.connect('alice');
      for (const window of [-1, 1.5, '100', null, 86_400_001]) {
        const answer = await admin.post(`${API}/drain`, { window });
        expect({ window, status: answer.status }).toEqual({ window, status: 400 });
      }
      expect((await admin.post(`${API}/drain`, { window: 1, now: true })).status).toBe(400);
      expect((await admin.post(`${API}/drain`, undefined, TOKEN, 'text/plain')).status).toBe(415);
      expect((await admin.get(`${API}/nodes`)).body.draining).toBe(false);
      await alice.roundTrip();
      expect(alice.isOpen).toBe(true);
    });

    it('serves the page at /admin to anyone, with a policy that lets in its own script only and no data', async () => {
      const alice = await admin.connect('alice');
      const response = await fetch(`${admin.http}/admin`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      const policy = response.headers.get('content-security-policy')!;
      expect(policy).toContain("default-src 'none'");
      expect(policy).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'/);
      expect(policy).toContain("frame-ancestors 'none'");
      const html = await response.text();
      expect(html).toContain('<title>Realtime admin</title>');
      expect(html).not.toContain(alice.connectionId);
      expect(html).not.toContain(TOKEN);
      expect(html).not.toContain('innerHTML');
    });
  });

  it('reads a token function on every request: a rotated token applies at once', async () => {
    let current = 'first-token';
    admin = await AdminApp.start({ token: () => current });
    expect((await admin.get(`${API}/nodes`, 'first-token')).status).toBe(200);
    current = 'second-token';
    expect((await admin.get(`${API}/nodes`, 'first-token')).status).toBe(401);
    expect((await admin.get(`${API}/nodes`, 'second-token')).status).toBe(200);
    current = '';
    expect((await admin.get(`${API}/nodes`, 'second-token')).status).toBe(401);
  });

  it('takes its token from a factory with forRootAsync, on the path it is given', async () => {
    const CONFIG = Symbol('CONFIG');
    @Module({ providers: [{ provide: CONFIG, useValue: { adminToken: 'from-config' } }], exports: [CONFIG] })
    class ConfigModule {}
    admin = await AdminApp.startWith([
      RealtimeModule.forRoot({ authenticate: userFromQuery }),
      RealtimeAdminModule.forRootAsync({
        path: '/ops/realtime/',
        imports: [ConfigModule],
        inject: [CONFIG],
        useFactory: (config: { adminToken: string }) => ({ token: config.adminToken }),
      }),
    ]);
    expect((await admin.get('/ops/realtime/api/nodes', 'from-config')).status).toBe(200);
    expect((await admin.get('/ops/realtime/api/nodes', TOKEN)).status).toBe(401);
    expect((await fetch(`${admin.http}/ops/realtime`)).status).toBe(200);
    expect((await admin.get(`${API}/nodes`, 'from-config')).status).toBe(404);
  });

  it("uses the application's own guard instead of a token, and can leave the page out", async () => {
    @Injectable()
    class StaffOnly implements CanActivate {
      canActivate(context: ExecutionContext): boolean {
        return context.switchToHttp().getRequest().headers['x-staff'] === 'yes';
      }
    }
    admin = await AdminApp.start({ guard: StaffOnly, page: false });
    const alice = await admin.connect('alice');
    expect((await admin.get(`${API}/nodes`, null)).status).toBe(403);
    expect((await admin.get(`${API}/nodes`, TOKEN)).status).toBe(403);
    expect((await admin.get(`${API}/nodes`, null, { 'x-staff': 'yes' })).status).toBe(200);
    const refused = await fetch(`${admin.http}${API}/connections/${alice.connectionId}/disconnect`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(refused.status).toBe(403);
    expect(alice.isOpen).toBe(true);
    expect((await fetch(`${admin.http}/admin`)).status).toBe(404);
  });

  describe('fails to start, saying why,', () => {
    async function startFails(start: () => Promise<AdminApp>): Promise<string> {
      try {
        admin = await start();
      } catch (error) {
        return (error as Error).message;
      }
      throw new Error('it started');
    }

    it('without a token or a guard, or with both', async () => {
      class AnyGuard implements CanActivate {
        canActivate(): boolean {
          return true;
        }
      }
      expect(await startFails(() => AdminApp.start({}))).toBe(ADMIN_TOKEN_OR_GUARD);
      expect(await startFails(() => AdminApp.start({ token: TOKEN, guard: AnyGuard }))).toBe(ADMIN_TOKEN_AND_GUARD);
      expect(await startFails(() => AdminApp.start({ token: '' }))).toBe(
        'RealtimeAdminModule: option "token" must be a non-empty string, or a function returning one; got "".',
      );
    });

    it('with a path that is not one', async () => {
      expect(await startFails(() => AdminApp.start({ token: TOKEN, path: 'admin page' }))).toMatch(/^RealtimeAdminModule: option "path" must be a URL path/);
      expect(await startFails(() => AdminApp.start({ token: TOKEN, path: '' }))).toMatch(/^RealtimeAdminModule: option "path" must be a URL path/);
    });

    it('without RealtimeModule', async () => {
      const moduleRef = await Test.createTestingModule({ imports: [RealtimeAdminModule.forRoot({ token: TOKEN })] }).compile();
      const app = moduleRef.createNestApplication({ logger: false });
      await expect(app.init()).rejects.toThrow(NEEDS_REALTIME_MODULE_FOR_ADMIN);
      await app.close();
    });
  });

  it('serves the demo\'s page at /admin and its API at /admin/api, for ADMIN_TOKEN', async () => {
    const demo = await DemoServer.start({ ADMIN_TOKEN: 'demo-admin-e2e-token' });
    try {
      const alice = await TestClient.connect(`${demo.ws}?token=${await demo.tokenFor('alice')}`);
      const auth = { authorization: 'Bearer demo-admin-e2e-token' };
      expect((await fetch(`${demo.http}/admin/api/connections`)).status).toBe(401);
      const listed = await fetch(`${demo.http}/admin/api/connections?clientId=alice`, { headers: auth });
      expect(listed.status).toBe(200);
      expect(((await listed.json()) as any).connections.map((c: any) => c.id)).toEqual([alice.connectionId]);
      const page = await fetch(`${demo.http}/admin`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<title>Realtime admin</title>');
      const disconnected = await fetch(`${demo.http}/admin/api/clients/alice/disconnect`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: '{}',
      });
      expect(disconnected.status).toBe(200);
      expect((await alice.waitClosed()).code).toBe(4001);
    } finally {
      await demo.stop();
    }
  });

  describe('on Redis, with two nodes', () => {
    let redis: RedisServer;
    let other: AdminApp;

    beforeAll(async () => {
      redis = await RedisServer.start();
    });

    afterAll(() => redis?.close());

    afterEach(() => other?.close());

    it('lists every node with its connections, and the connections of the node that answers', async () => {
      const engine = () => new RedisEngine({ url: redis.url, keyPrefix: 'admin-e2e:', logLevels: ['fatal'] });
      admin = await AdminApp.start({ token: TOKEN }, { engine: engine() });
      other = await AdminApp.start({ token: TOKEN }, { engine: engine() });
      const here = await admin.member('alice', 'room:lobby');
      await other.member('bob', 'room:lobby');
      await other.connect('carol');
      const answer = await admin.get(`${API}/nodes`);
      expect(answer.status).toBe(200);
      const { nodeId } = answer.body;
      expect(answer.body).toMatchObject({ connections: 1, connectionsAnywhere: 3 });
      expect(answer.body.nodes).toHaveLength(2);
      expect(answer.body.nodes.find((node: any) => node.self)).toMatchObject({ nodeId, alive: true, connections: 1 });
      expect(answer.body.nodes.find((node: any) => !node.self)).toMatchObject({ alive: true, connections: 2, startedAt: expect.any(Number) });

      const connections = await admin.get(`${API}/connections`);
      expect(connections.body.connections.map((c: any) => c.id)).toEqual([here.connectionId]);
      const channels = await admin.get(`${API}/channels`);
      expect(channels.body.channels).toEqual([{ channel: 'room:lobby', members: 2, presence: true, history: false }]);
      const members = await admin.get(`${room('room:lobby')}/members`);
      expect(members.body.members.map((m: any) => m.clientId).sort()).toEqual(['alice', 'bob']);
    });
  });
});
