import Pusher from 'pusher';
import { DemoServer } from './support/demo-server';

const APP = { appId: 'auth-e2e-app', key: 'auth-e2e-key', secret: 'auth-e2e-secret' };
const SOCKET_ID = '1234.5678';

/** The demo's POST /pusher/auth, checked against the signatures of Pusher's own server SDK. */
describe('the demo: POST /pusher/auth', () => {
  let server: DemoServer;
  /** Pusher's Node SDK with the same app: its authorizeChannel is the reference signer. */
  const reference = new Pusher({ ...APP, host: '127.0.0.1' });

  beforeAll(async () => {
    server = await DemoServer.start({ PUSHER_APP_ID: APP.appId, PUSHER_APP_KEY: APP.key, PUSHER_APP_SECRET: APP.secret });
  });

  afterAll(() => server?.stop());

  /** Posts the form pusher-js sends. */
  function authorize(form: Record<string, string>, token?: string): Promise<Response> {
    return fetch(`${server.http}/pusher/auth`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(token !== undefined && { authorization: `Bearer ${token}` }) },
      body: new URLSearchParams(form).toString(),
    });
  }

  it('signs a private channel for a signed-in user as the Pusher SDK does', async () => {
    const response = await authorize({ socket_id: SOCKET_ID, channel_name: 'private-orders' }, await server.tokenFor('alice'));

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(reference.authorizeChannel(SOCKET_ID, 'private-orders'));
  });

  it("signs a presence channel with the token's user as the member, named in user_info", async () => {
    const response = await authorize({ socket_id: SOCKET_ID, channel_name: 'presence-lobby' }, await server.tokenFor('bob'));

    const body = (await response.json()) as { auth: string; channel_data: string };
    expect(response.status).toBe(200);
    expect(JSON.parse(body.channel_data)).toEqual({ user_id: 'bob', user_info: { name: 'bob' } });
    expect(body).toEqual(reference.authorizeChannel(SOCKET_ID, 'presence-lobby', { user_id: 'bob', user_info: { name: 'bob' } }));
  });

  it("lets a user into their own private-user- channel and nobody else's", async () => {
    const token = await server.tokenFor('carol');

    expect((await authorize({ socket_id: SOCKET_ID, channel_name: 'private-user-carol' }, token)).status).toBe(200);
    const other = await authorize({ socket_id: SOCKET_ID, channel_name: 'private-user-dave' }, token);
    expect(other.status).toBe(403);
    expect(((await other.json()) as { message: string }).message).toBe("private-user-dave is another user's channel: only private-user-carol is yours.");
  });

  it('refuses encrypted channels, which the demo has no key for', async () => {
    const response = await authorize({ socket_id: SOCKET_ID, channel_name: 'private-encrypted-notes' }, await server.tokenFor('erin'));

    expect(response.status).toBe(403);
    expect(((await response.json()) as { message: string }).message).toContain('private-encrypted- channels are not served');
  });

  it.each([
    ['no token', undefined],
    ['a forged token', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJtYWxsb3J5In0.c2lnbmVkLWJ5LW1hbGxvcnk'],
    ['an empty bearer', ''],
  ])('refuses %s with 403, saying where a token comes from', async (_, token) => {
    const response = await authorize({ socket_id: SOCKET_ID, channel_name: 'presence-lobby' }, token);

    expect(response.status).toBe(403);
    expect(((await response.json()) as { message: string }).message).toBe('Send the token of POST /auth/token as "Authorization: Bearer <token>".');
  });

  it('refuses with 400 what is not a private or presence subscription of a Pusher socket', async () => {
    const token = await server.tokenFor('frank');

    for (const form of <Array<Record<string, string>>>[
      { socket_id: 'abc', channel_name: 'presence-lobby' },
      { socket_id: SOCKET_ID, channel_name: 'lobby' },
      { socket_id: SOCKET_ID, channel_name: 'presence-lob by' },
      { socket_id: SOCKET_ID, channel_name: `private-${'x'.repeat(160)}` },
      { socket_id: SOCKET_ID },
    ]) {
      expect({ form, status: (await authorize(form, token)).status }).toEqual({ form, status: 400 });
    }
  });

  it('takes JSON bodies too', async () => {
    const response = await fetch(`${server.http}/pusher/auth`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await server.tokenFor('gina')}` },
      body: JSON.stringify({ socket_id: SOCKET_ID, channel_name: 'private-orders' }),
    });

    expect(await response.json()).toEqual(reference.authorizeChannel(SOCKET_ID, 'private-orders'));
  });
});
