import { Controller, Get, INestApplication, Logger, LoggerService, Module, Req } from '@nestjs/common';
import type { Request } from 'express';
import * as https from 'https';
import { ExpressAdapter } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import type { ClientHttp2Session } from 'http2';
import type { Http2SecureServer } from 'http2';
import type { AddressInfo } from 'net';
import { ConnectionService, RealtimeAdapter, RealtimeModule, serveHttp2 } from '@nest-realtime/core';
import { userFromQuery } from './support/auth';
import { connectOverH2, h2Session } from './support/h2-websocket';
import { makeTestCertificate, TestCertificate } from './support/test-certificate';
import { TestClient } from './support/test-client';

@Controller('hello')
class HelloController {
  @Get()
  hello(@Req() request: Request): { hello: string; secure: boolean; ip?: string } {
    return { hello: 'world', secure: request.secure, ip: request.socket.remoteAddress };
  }
}

@Module({
  imports: [
    RealtimeModule.forRoot({ authenticate: userFromQuery, origins: { allow: ['https://chat.example'], allowMissing: true }, logLevels: ['log', 'warn', 'error'] }),
  ],
  controllers: [HelloController],
})
class Http2AppModule {}

function get(session: ClientHttp2Session, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':path': path });
    let status = 0;
    let body = '';
    stream.setEncoding('utf8');
    stream.on('response', (headers) => (status = Number(headers[':status'])));
    stream.on('data', (chunk: string) => (body += chunk));
    stream.on('end', () => resolve({ status, body }));
    stream.on('error', reject);
  });
}

async function startApp(certificate: TestCertificate): Promise<{ app: INestApplication; origin: string }> {
  const moduleRef = await Test.createTestingModule({ imports: [Http2AppModule] }).compile();
  const app = moduleRef.createNestApplication(serveHttp2(new ExpressAdapter(), { key: certificate.key, cert: certificate.cert }), { logger: false });
  app.useWebSocketAdapter(new RealtimeAdapter(app));
  await app.listen(0, '127.0.0.1');
  return { app, origin: `https://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}` };
}

describe('WebSockets over HTTP/2 (RFC 8441)', () => {
  let certificate: TestCertificate;
  let app: INestApplication;
  let origin: string;
  let sessionsSeen = 0;
  const sessions: ClientHttp2Session[] = [];
  const clients: TestClient[] = [];

  beforeAll(async () => {
    certificate = await makeTestCertificate();
    ({ app, origin } = await startApp(certificate));
    (app.getHttpServer() as Http2SecureServer).on('session', () => sessionsSeen++);
  });

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.terminate()));
    for (const session of sessions) session.destroy();
    await app?.close();
    await certificate?.remove();
  });

  async function session(): Promise<ClientHttp2Session> {
    const opened = await h2Session(origin, certificate.cert);
    sessions.push(opened);
    return opened;
  }

  async function over(h2: ClientHttp2Session, user: string): Promise<TestClient> {
    const answer = await connectOverH2(h2, `/realtime?user=${user}`);
    expect(answer.status).toBe(200);
    const client = await TestClient.over(answer.socket!);
    clients.push(client);
    return client;
  }

  it('announces extended CONNECT in its SETTINGS', async () => {
    const h2 = await session();

    expect(h2.remoteSettings.enableConnectProtocol).toBe(true);
  });

  it('opens several WebSockets on one HTTP/2 connection, and they chat', async () => {
    const before = sessionsSeen;
    const h2 = await session();
    const [alice, bob] = [await over(h2, 'alice'), await over(h2, 'bob')];

    expect(alice.socket.protocol).toBe('realtime.v1.json');
    expect((await alice.request('channel:join', { channel: 'chat:1' })).ok).toBe(true);
    expect((await bob.request('channel:join', { channel: 'chat:1' })).ok).toBe(true);
    const heardByAlice = alice.next((frame) => frame.event === 'channel:message');
    const heardByBob = bob.next((frame) => frame.event === 'channel:message');
    expect((await alice.request('channel:publish', { channel: 'chat:1', payload: 'over h2' })).ok).toBe(true);

    expect((await heardByAlice).data).toMatchObject({ channel: 'chat:1', payload: 'over h2' });
    expect((await heardByBob).data).toMatchObject({ channel: 'chat:1', payload: 'over h2' });
    expect(sessionsSeen - before).toBe(1);
    const connections = app.get(ConnectionService);
    expect(connections.get(alice.connectionId)).toMatchObject({ clientId: 'alice', transport: 'h2', ip: '127.0.0.1' });
    expect(connections.get(bob.connectionId)).toMatchObject({ clientId: 'bob', transport: 'h2' });
  });

  it('closes one WebSocket without closing its neighbours on the connection', async () => {
    const h2 = await session();
    const [alice, bob] = [await over(h2, 'alice'), await over(h2, 'bob')];

    expect((await alice.closeAndWait()).code).toBe(1000);

    expect((await bob.request('channel:join', { channel: 'chat:2' })).ok).toBe(true);
    expect(h2.closed).toBe(false);
  });

  it('refuses an origin it does not allow with 403 on the stream, and the connection stays usable', async () => {
    const h2 = await session();

    const refused = await connectOverH2(h2, '/realtime?user=mallory', { origin: 'https://evil.example' });
    expect(refused.status).toBe(403);
    expect(refused.socket).toBeUndefined();

    const allowed = await connectOverH2(h2, '/realtime?user=carol', { origin: 'https://chat.example' });
    expect(allowed.status).toBe(200);
    clients.push(await TestClient.over(allowed.socket!));
  });

  it('refuses a connection without credentials with 401', async () => {
    const answer = await connectOverH2(await session(), '/realtime');

    expect(answer.status).toBe(401);
  });

  it('answers 404 for another path, and 400 without Sec-WebSocket-Version 13', async () => {
    const h2 = await session();

    expect((await connectOverH2(h2, '/elsewhere?user=dave')).status).toBe(404);
    expect((await connectOverH2(h2, '/realtime?user=dave', { 'sec-websocket-version': '8' })).status).toBe(400);
  });

  it('takes HTTP/1.1 upgrades on the same port, as transport h1', async () => {
    const client = await TestClient.connect(`${origin.replace('https', 'wss')}/realtime?user=erin`, { ca: certificate.cert }, ['realtime.v1.json']);
    clients.push(client);

    expect(app.get(ConnectionService).get(client.connectionId)).toMatchObject({ clientId: 'erin', transport: 'h1' });
  });

  it('writes the transport in the access log', async () => {
    const lines: string[] = [];
    const capture = (message: unknown, context?: string) => context === 'RealtimeAccess' && lines.push(String(message));
    const logger: LoggerService = { log: capture, warn: () => undefined, error: () => undefined };
    Logger.overrideLogger(logger);
    try {
      const h2 = await session();
      expect((await connectOverH2(h2, '/realtime?user=mallory', { origin: 'https://evil.example' })).status).toBe(403);
      const frank = await over(h2, 'frank');
      const released = new Promise<void>((resolve) => {
        const subscription = app.get(ConnectionService).connection$.subscribe((event) => {
          if (event.type === 'close' && event.connectionId === frank.connectionId) resolve(subscription.unsubscribe());
        });
      });
      await frank.closeAndWait();
      await released;
    } finally {
      Logger.overrideLogger(false);
    }

    expect(lines.map((line) => JSON.parse(line) as { msg: string; transport: string })).toEqual([
      expect.objectContaining({ msg: 'upgrade refused', status: 403, transport: 'h2' }),
      expect.objectContaining({ msg: 'connection closed', clientId: 'frank', transport: 'h2', code: 1000 }),
    ]);
  });

  it("serves the application's routes over HTTP/2", async () => {
    const answer = await get(await session(), '/hello');

    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ hello: 'world', secure: true, ip: '127.0.0.1' });
  });
});

describe('shutdown with WebSockets over HTTP/2', () => {
  it('closes them with 1001 and does not wait for the client to leave its HTTP/2 connection', async () => {
    const certificate = await makeTestCertificate();
    const { app, origin } = await startApp(certificate);
    const h2 = await h2Session(origin, certificate.cert);
    try {
      const answer = await connectOverH2(h2, '/realtime?user=grace');
      const grace = await TestClient.over(answer.socket!);
      const goaway = new Promise((resolve) => h2.once('goaway', resolve));
      // An HTTP/1.1 connection kept alive after its request.
      const agent = new https.Agent({ keepAlive: true, ca: certificate.cert });
      await new Promise<void>((resolve, reject) =>
        https.get(`${origin}/hello`, { agent }, (response) => response.resume().on('end', resolve)).on('error', reject),
      );

      await app.close();

      expect((await grace.waitClosed()).code).toBe(1001);
      await goaway;
      agent.destroy();
    } finally {
      h2.destroy();
      await certificate.remove();
    }
  });
});
