import type { IncomingMessage } from 'http';
import type { AuditEvent, AuthResult } from '@nest-realtime/core';
import { AuditService, ConnectionService } from '@nest-realtime/core';
import { RealtimeTestApp } from './support/realtime-app';
import { upgradeStatus } from './support/test-client';

/**
 * Tokens of the test are `<user>:<expiresAt>`; `<user>:never` does not expire. Signing is beside the
 * point here: the rules are about what the server does with an identity that expires.
 */
function identityOf(token: string | null): AuthResult | null {
  if (!token) return null;
  const [user, expiry] = token.split(':');
  if (!user || !expiry) return null;
  return expiry === 'never' ? { clientId: user } : { clientId: user, expiresAt: Number(expiry) };
}

function authenticate(request: IncomingMessage): AuthResult | null {
  return identityOf(new URL(request.url ?? '/', 'http://localhost').searchParams.get('token'));
}

describe('credentials', () => {
  let rt: RealtimeTestApp;
  let audit: AuditEvent[];

  beforeEach(async () => {
    rt = await RealtimeTestApp.start({ authenticate, reauthenticate: (token) => identityOf(token) });
    audit = [];
    rt.get(AuditService).audit$.subscribe((event) => audit.push(event));
  });

  afterEach(() => rt.close());

  it('refuses an upgrade without a token with 401', async () => {
    expect(await upgradeStatus(rt.url)).toBe(401);
  });

  it('refuses an upgrade whose credentials have expired already with 401', async () => {
    expect(await upgradeStatus(rt.urlWith({ token: `alice:${Date.now() - 1}` }))).toBe(401);
    expect(rt.get(ConnectionService).count()).toBe(0);
  });

  it('closes the connection with 1008 when its credentials expire', async () => {
    const expiresAt = Date.now() + 300;
    const client = await rt.connect({ token: `alice:${expiresAt}` });
    expect(rt.get(ConnectionService).get(client.connectionId)?.expiresAt).toBe(expiresAt);

    const closed = await client.waitClosed();

    expect(closed).toEqual({ code: 1008, reason: 'credentials expired' });
    expect(Date.now()).toBeGreaterThanOrEqual(expiresAt);
    expect(audit).toContainEqual(
      expect.objectContaining({ type: 'connection.kick', clientId: 'alice', connectionId: client.connectionId, code: 1008, reason: 'credentials expired' }),
    );
  });

  it('keeps the connection open past the old expiry once connection:reauth extended it', async () => {
    const firstExpiry = Date.now() + 300;
    const client = await rt.connect({ token: `alice:${firstExpiry}` });
    const secondExpiry = firstExpiry + 400;

    expect(await client.request('connection:reauth', { token: `alice:${secondExpiry}` })).toEqual({ ok: true, result: { expiresAt: secondExpiry } });
    const closed = await client.waitClosed();

    expect(closed.code).toBe(1008);
    expect(Date.now()).toBeGreaterThanOrEqual(secondExpiry);
    expect(audit).toContainEqual(expect.objectContaining({ type: 'credentials.renewed', clientId: 'alice', expiresAt: secondExpiry }));
  });

  it('keeps the connection open for good when the new credentials do not expire', async () => {
    const client = await rt.connect({ token: `alice:${Date.now() + 200}` });

    expect(await client.request('connection:reauth', { token: 'alice:never' })).toEqual({ ok: true, result: { expiresAt: null } });
    const other = await rt.connect({ token: `bob:${Date.now() + 250}` });
    await other.waitClosed();

    expect(client.isOpen).toBe(true);
    await client.roundTrip();
  });

  it.each([
    ['a token the server refuses', 'garbage', 'unauthorized'],
    ['a token that expired already', `alice:${Date.now() - 1000}`, 'unauthorized'],
    ['a token of another user', 'mallory:never', 'forbidden'],
  ])('refuses %s, keeping the old expiry', async (_case, token, code) => {
    const expiresAt = Date.now() + 400;
    const client = await rt.connect({ token: `alice:${expiresAt}` });

    const reply = await client.request('connection:reauth', { token });

    expect(reply).toEqual({ ok: false, error: { code, message: expect.any(String) } });
    expect(rt.get(ConnectionService).get(client.connectionId)?.expiresAt).toBe(expiresAt);
    expect((await client.waitClosed()).code).toBe(1008);
  });

  it('refuses a reauth without a token as invalid', async () => {
    const client = await rt.connect({ token: 'alice:never' });

    expect(await client.request('connection:reauth', {})).toEqual({
      ok: false,
      error: { code: 'invalid', message: expect.any(String), details: [{ field: 'token', message: expect.any(String) }] },
    });
  });
});

describe('connection:reauth without a reauthenticate option', () => {
  let rt: RealtimeTestApp;

  beforeEach(async () => {
    rt = await RealtimeTestApp.start({ authenticate });
  });

  afterEach(() => rt.close());

  it('answers unauthorized and leaves the connection as it was', async () => {
    const client = await rt.connect({ token: 'alice:never' });

    expect(await client.request('connection:reauth', { token: 'alice:never' })).toEqual({
      ok: false,
      error: { code: 'unauthorized', message: expect.stringContaining('reconnect') },
    });
    await client.roundTrip();
  });
});
