import type { IncomingMessage } from 'http';
import type { AuthResult, ConnectionEvent } from '@nest-realtime/core';
import { ConnectionService } from '@nest-realtime/core';
import { RealtimeTestApp } from './support/realtime-app';
import { upgradeStatus } from './support/test-client';

/**
 * Tokens of the test: `sync:<user>` and `async:<user>` are accepted (by a synchronous or an asynchronous
 * decision), `null`/`false`/`throw`/`reject`/`no-client-id` are refused in each of the ways an application may refuse.
 */
function tokenOf(request: IncomingMessage): string | null {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice('Bearer '.length);
  return new URL(request.url ?? '/', 'http://localhost').searchParams.get('token');
}

function authenticate(request: IncomingMessage): AuthResult | null | false | Promise<AuthResult | null> {
  const token = tokenOf(request);
  if (token === null || token === 'null') return null;
  if (token === 'false') return false;
  if (token === 'throw') throw new Error('token signature mismatch');
  if (token === 'reject') return Promise.reject(new Error('token expired'));
  if (token === 'no-client-id') return { clientId: '' };
  const [mode, user] = token.split(':');
  const identity: AuthResult = { clientId: user, claims: { role: user === 'root' ? 'admin' : 'member', via: mode } };
  if (mode === 'async') return new Promise((resolve) => setImmediate(() => resolve(identity)));
  if (mode === 'sync') return identity;
  return null;
}

describe('authentication at the upgrade', () => {
  let rt: RealtimeTestApp;
  let events: ConnectionEvent[];

  beforeEach(async () => {
    rt = await RealtimeTestApp.start({ authenticate });
    events = [];
    rt.get(ConnectionService).connection$.subscribe((event) => events.push(event));
  });

  afterEach(() => rt.close());

  it('accepts a synchronous decision and welcomes the connection with its clientId', async () => {
    const client = await rt.connect(undefined, { headers: { authorization: 'Bearer sync:alice' } });

    expect(client.clientId).toBe('alice');
    expect(client.connectionId).not.toBe('alice');
    expect(rt.get(ConnectionService).get(client.connectionId)).toMatchObject({ clientId: 'alice', claims: { role: 'member', via: 'sync' } });
  });

  it('accepts an asynchronous decision', async () => {
    const client = await rt.connect(undefined, { headers: { authorization: 'Bearer async:root' } });

    expect(client.clientId).toBe('root');
    expect(rt.get(ConnectionService).get(client.connectionId)?.claims).toEqual({ role: 'admin', via: 'async' });
  });

  it('takes the token from the query string when there is no Authorization header', async () => {
    const client = await rt.connect({ token: 'async:bob' });

    expect(client.clientId).toBe('bob');
  });

  it.each([
    ['no token at all', undefined],
    ['authenticate returns null', 'null'],
    ['authenticate returns false', 'false'],
    ['authenticate throws', 'throw'],
    ['authenticate rejects', 'reject'],
    ['authenticate returns an empty clientId', 'no-client-id'],
  ])('answers 401 at the upgrade and opens no connection when %s', async (_case, token) => {
    const status = await upgradeStatus(token === undefined ? rt.url : rt.urlWith({ token }));

    expect(status).toBe(401);
    expect(rt.get(ConnectionService).count()).toBe(0);
    expect(events).toEqual([]);
  });

  it('lets several connections share one clientId', async () => {
    const laptop = await rt.connect({ token: 'sync:alice' });
    const phone = await rt.connect({ token: 'async:alice' });
    const connections = rt.get(ConnectionService);

    expect(laptop.clientId).toBe('alice');
    expect(phone.clientId).toBe('alice');
    expect(laptop.connectionId).not.toBe(phone.connectionId);
    expect(connections.ofClient('alice').map((info) => info.id).sort()).toEqual([laptop.connectionId, phone.connectionId].sort());
    expect(events.map((event) => [event.type, event.clientId])).toEqual([
      ['open', 'alice'],
      ['open', 'alice'],
    ]);

    const released = rt.released(laptop.connectionId);
    await laptop.closeAndWait();
    await released;
    expect(connections.isOnline('alice')).toBe(true);
    expect(connections.ofClient('alice').map((info) => info.id)).toEqual([phone.connectionId]);
  });

  it('answers 404 to an upgrade on another path', async () => {
    expect(await upgradeStatus(rt.url.replace('/realtime', '/elsewhere') + '?token=sync:alice')).toBe(404);
    expect(rt.get(ConnectionService).count()).toBe(0);
  });
});

describe('without an authenticate option', () => {
  let rt: RealtimeTestApp;

  beforeEach(async () => {
    rt = await RealtimeTestApp.start({ path: '/ws' });
  });

  afterEach(() => rt.close());

  it('accepts every connection as its own client, on the configured path', async () => {
    const first = await rt.connect();
    const second = await rt.connect();

    expect(rt.url).toMatch(/\/ws$/);
    expect(first.clientId).toBe(first.connectionId);
    expect(second.clientId).toBe(second.connectionId);
    expect(first.clientId).not.toBe(second.clientId);
  });
});
