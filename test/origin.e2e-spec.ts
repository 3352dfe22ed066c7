import { AuditEvent, AuditService, ConnectionService } from '@nest-realtime/core';
import { RealtimeTestApp } from './support/realtime-app';
import { upgradeStatus } from './support/test-client';

describe('origin checks at the upgrade', () => {
  let rt: RealtimeTestApp;

  afterEach(() => rt.close());

  describe('by default', () => {
    beforeEach(async () => {
      rt = await RealtimeTestApp.start();
    });

    it('refuses a page of another site with 403 and opens no connection', async () => {
      const audit: AuditEvent[] = [];
      rt.get(AuditService).audit$.subscribe((event) => audit.push(event));

      expect(await upgradeStatus(rt.url, { origin: 'https://evil.example' })).toBe(403);

      expect(rt.get(ConnectionService).count()).toBe(0);
      expect(audit).toEqual([
        expect.objectContaining({ type: 'upgrade.refused', status: 403, ip: '127.0.0.1', connectionId: null, at: expect.any(Number) }),
      ]);
    });

    it('lets in a page served by the server itself (its Origin is the Host it connects to)', async () => {
      const host = new URL(rt.url).host;

      const client = await rt.connect(undefined, { origin: `http://${host}` });

      expect(client.isOpen).toBe(true);
    });

    it('refuses the same host on another port', async () => {
      const { hostname, port } = new URL(rt.url);

      expect(await upgradeStatus(rt.url, { origin: `http://${hostname}:${Number(port) + 1}` })).toBe(403);
    });

    it('lets in a client that sends no Origin header (not a browser)', async () => {
      const client = await rt.connect();

      expect(client.isOpen).toBe(true);
    });

    it('refuses the opaque origin "null" (sandboxed frames, files)', async () => {
      expect(await upgradeStatus(rt.url, { origin: 'null' })).toBe(403);
    });
  });

  describe('with an allow-list', () => {
    beforeEach(async () => {
      rt = await RealtimeTestApp.start({
        origins: { allow: ['https://app.example.com', 'https://*.example.org', 'http://localhost:*'], sameOrigin: false, allowMissing: false },
      });
    });

    it.each([
      ['an exact origin', 'https://app.example.com'],
      ['an exact origin written with its default port', 'https://app.example.com:443'],
      ['an exact origin in another case', 'HTTPS://App.Example.com'],
      ['a subdomain under a wildcard', 'https://eu.example.org'],
      ['a deeper subdomain under a wildcard', 'https://a.b.example.org'],
      ['a port under a wildcard', 'http://localhost:5173'],
    ])('lets in %s', async (_case, origin) => {
      const client = await rt.connect(undefined, { origin });

      expect(client.isOpen).toBe(true);
    });

    it.each([
      ['another site', 'https://evil.example'],
      ['the bare domain of a wildcard', 'https://example.org'],
      ['a look-alike that ends with the domain', 'https://evilexample.org'],
      ['the right host on the wrong scheme', 'http://app.example.com'],
      ['the right host on another port', 'https://app.example.com:8443'],
      ['a subdomain of an exact entry', 'https://x.app.example.com'],
      ['a user-info trick', 'https://example.org@evil.example'],
      ['garbage', 'not an origin'],
    ])('refuses %s with 403', async (_case, origin) => {
      expect(await upgradeStatus(rt.url, { origin })).toBe(403);
    });

    it('refuses a client without an Origin header when allowMissing is false', async () => {
      expect(await upgradeStatus(rt.url)).toBe(403);
    });

    it('refuses its own origin when sameOrigin is false and it is not listed', async () => {
      expect(await upgradeStatus(rt.url, { origin: `http://${new URL(rt.url).host}` })).toBe(403);
    });
  });

  describe('turned off', () => {
    it('lets in every origin with origins: false', async () => {
      rt = await RealtimeTestApp.start({ origins: false });

      const client = await rt.connect(undefined, { origin: 'https://anywhere.example' });

      expect(client.isOpen).toBe(true);
    });

    it('lets in every origin with "*"', async () => {
      rt = await RealtimeTestApp.start({ origins: { allow: ['*'] } });

      const client = await rt.connect(undefined, { origin: 'https://anywhere.example' });

      expect(client.isOpen).toBe(true);
    });
  });
});
