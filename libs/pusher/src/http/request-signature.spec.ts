import { createHmac } from 'crypto';
import Pusher from 'pusher';
import { md5Hex, signRequest, verifySignedRequest } from './request-signature';
import { parseSignedQuery, splitUrl } from './pusher-query';
import { AUTH_FAILED } from './pusher-http.messages';

const app = { id: '42', key: 'app-key', secret: 'app-secret' };
const sdk = new Pusher({ appId: app.id, key: app.key, secret: app.secret, host: '127.0.0.1' });
const NOW = 1_700_000_000_000;

/** A request as the Node SDK would send it, parsed back the way the server reads it. */
function sdkRequest(method: 'GET' | 'POST', path: string, params?: Record<string, string>, body?: unknown) {
  const text = body === undefined ? undefined : JSON.stringify(body);
  const query = sdk.createSignedQueryString({ method, path, params, body: text });
  const parsed = parseSignedQuery(query);
  if (!parsed.ok) throw new Error(parsed.reason);
  return { method, path, query: parsed.query, body: text === undefined ? undefined : Buffer.from(text) };
}

describe('Pusher request signatures', () => {
  beforeEach(() => jest.useFakeTimers({ now: NOW }));
  afterEach(() => jest.useRealTimers());

  it('accepts a POST signed by the pusher SDK, body_md5 included', () => {
    const request = sdkRequest('POST', '/apps/42/events', undefined, { name: 'e', data: '{"a":"b/c é"}', channels: ['x'] });
    expect(request.query.body_md5).toBe(md5Hex(request.body!));
    expect(verifySignedRequest(request, app, NOW)).toEqual({ ok: true });
  });

  it('accepts a GET with its own parameters, whatever their order in the URL', () => {
    const request = sdkRequest('GET', '/apps/42/channels', { filter_by_prefix: 'presence-', info: 'user_count,subscription_count' });
    expect(verifySignedRequest(request, app, NOW)).toEqual({ ok: true });
    const reordered = Object.fromEntries(Object.entries(request.query).reverse());
    expect(verifySignedRequest({ ...request, query: reordered }, app, NOW)).toEqual({ ok: true });
  });

  it('matches the documented string to sign: METHOD, path and sorted query on three lines', () => {
    const query = { auth_key: 'k', auth_timestamp: '1', auth_version: '1.0', b: '2', a: '1' };
    const expected = createHmac('sha256', 's').update('GET\n/apps/1/channels\na=1&auth_key=k&auth_timestamp=1&auth_version=1.0&b=2').digest('hex');
    expect(signRequest('s', 'get', '/apps/1/channels', { ...query, auth_signature: 'ignored' })).toBe(expected);
  });

  it('refuses a wrong secret', () => {
    const other = new Pusher({ appId: app.id, key: app.key, secret: 'not-the-secret', host: '127.0.0.1' });
    const parsed = parseSignedQuery(other.createSignedQueryString({ method: 'GET', path: '/apps/42/channels' }));
    expect(parsed.ok && verifySignedRequest({ method: 'GET', path: '/apps/42/channels', query: parsed.query }, app, NOW)).toEqual({
      ok: false,
      reason: AUTH_FAILED.signature,
    });
  });

  it('refuses another key, another method or another path', () => {
    const request = sdkRequest('GET', '/apps/42/channels');
    expect(verifySignedRequest(request, { ...app, key: 'other' }, NOW)).toEqual({ ok: false, reason: AUTH_FAILED.key });
    expect(verifySignedRequest({ ...request, method: 'POST' }, app, NOW)).toEqual({ ok: false, reason: AUTH_FAILED.signature });
    expect(verifySignedRequest({ ...request, path: '/apps/43/channels' }, app, NOW)).toEqual({ ok: false, reason: AUTH_FAILED.signature });
  });

  it('refuses a body changed after signing, and a body without body_md5', () => {
    const request = sdkRequest('POST', '/apps/42/events', undefined, { name: 'e', data: '1', channels: ['x'] });
    const changed = Buffer.from(request.body!.toString().replace('"1"', '"2"'));
    expect(verifySignedRequest({ ...request, body: changed }, app, NOW)).toEqual({ ok: false, reason: AUTH_FAILED.bodyMd5 });
    const unsigned = sdkRequest('POST', '/apps/42/events');
    expect(verifySignedRequest({ ...unsigned, body: Buffer.from('{}') }, app, NOW)).toEqual({ ok: false, reason: AUTH_FAILED.bodyMd5Missing });
  });

  it('accepts a timestamp up to 600 s away either way, and refuses one further', () => {
    const request = sdkRequest('GET', '/apps/42/channels');
    expect(verifySignedRequest(request, app, NOW + 600_000).ok).toBe(true);
    expect(verifySignedRequest(request, app, NOW - 600_000).ok).toBe(true);
    expect(verifySignedRequest(request, app, NOW + 601_000)).toEqual({ ok: false, reason: AUTH_FAILED.timestamp(String(NOW / 1000), NOW / 1000 + 601) });
    expect(verifySignedRequest(request, app, NOW - 601_000).ok).toBe(false);
  });

  it('refuses a request without the auth parameters or with another auth_version', () => {
    expect(verifySignedRequest({ method: 'GET', path: '/apps/42/channels', query: {} }, app, NOW)).toEqual({
      ok: false,
      reason: AUTH_FAILED.missing(['auth_key', 'auth_timestamp', 'auth_version', 'auth_signature']),
    });
    const request = sdkRequest('GET', '/apps/42/channels');
    expect(verifySignedRequest({ ...request, query: { ...request.query, auth_version: '2.0' } }, app, NOW)).toEqual({
      ok: false,
      reason: AUTH_FAILED.version('2.0'),
    });
  });

  it('refuses a timestamp that is not a number of seconds', () => {
    const request = sdkRequest('GET', '/apps/42/channels');
    expect(verifySignedRequest({ ...request, query: { ...request.query, auth_timestamp: '1e9' } }, app, NOW).ok).toBe(false);
  });
});

describe('parseSignedQuery', () => {
  it('decodes values as the SDKs signed them, keeping a literal + and commas', () => {
    expect(parseSignedQuery('info=user_count,subscription_count&filter_by_prefix=a+b&x=%2C%20')).toEqual({
      ok: true,
      query: { info: 'user_count,subscription_count', filter_by_prefix: 'a+b', x: ', ' },
    });
  });

  it('refuses a repeated parameter and broken percent-encoding', () => {
    expect(parseSignedQuery('a=1&a=2').ok).toBe(false);
    expect(parseSignedQuery('a=%E0%A4%A').ok).toBe(false);
  });

  it('splits a URL into its path and raw query', () => {
    expect(splitUrl('/apps/1/events?a=1&b=2')).toEqual({ path: '/apps/1/events', rawQuery: 'a=1&b=2' });
    expect(splitUrl('/apps/1/channels')).toEqual({ path: '/apps/1/channels', rawQuery: '' });
  });
});
