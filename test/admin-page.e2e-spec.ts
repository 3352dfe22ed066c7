import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { mkdirSync } from 'fs';
import type { AddressInfo } from 'net';
import { join, resolve } from 'path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { RealtimeAdapter, RealtimeModule } from '@nest-realtime/core';
import { RealtimeAdminModule } from '@nest-realtime/core/admin';
import { TOKEN_REFUSED } from '@nest-realtime/core/realtime.messages';
import { userFromQuery } from './support/auth';
import { launchChromium } from './support/chromium';
import { TestClient } from './support/test-client';

/** What the functions run inside the page use (this file compiles for Node). */
declare const sessionStorage: { getItem(key: string): string | null };

const TOKEN = 'admin-page-e2e-token-0123456789';
const OUTPUT = join(resolve(__dirname, '..'), 'test-output');
/** A few polls of the page (every 2 s). */
const WAIT = { timeout: 10_000 };

describe('the admin page in Chromium', () => {
  let app: INestApplication;
  let http: string;
  let browser: Browser;
  let context: BrowserContext | undefined;
  const clients: TestClient[] = [];

  beforeAll(async () => {
    mkdirSync(OUTPUT, { recursive: true });
    const moduleRef = await Test.createTestingModule({
      imports: [
        RealtimeModule.forRoot({ authenticate: userFromQuery, channels: [{ pattern: 'room:*', presence: true }] }),
        RealtimeAdminModule.forRoot({ token: TOKEN }),
      ],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    app.useWebSocketAdapter(new RealtimeAdapter(app));
    await app.listen(0, '127.0.0.1');
    http = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    browser = await launchChromium();
  });

  afterEach(async () => {
    await context?.close();
    context = undefined;
    await Promise.all(clients.splice(0).map((client) => client.terminate()));
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  async function member(user: string, channel?: string): Promise<TestClient> {
    const client = await TestClient.connect(`${http.replace(/^http/, 'ws')}/realtime?user=${encodeURIComponent(user)}`);
    clients.push(client);
    if (channel) expect((await client.request('channel:join', { channel, meta: { name: user } })).ok).toBe(true);
    return client;
  }

  /** The admin page, with the Content-Security-Policy violations it reports (a refused request logs an error too). */
  async function openAdmin(): Promise<{ page: Page; violations: string[] }> {
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const violations: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    await page.goto(`${http}/admin`);
    return { page, violations };
  }

  async function signIn(page: Page, token: string): Promise<void> {
    await page.getByTestId('token').fill(token);
    await page.getByTestId('sign-in').click();
  }

  function connectionRow(page: Page, connectionId: string) {
    return page.locator(`[data-testid="connections"] tr[data-connection-id="${connectionId}"]`);
  }

  it('asks for the token, lists a connected client, and disconnects it: the socket closes', async () => {
    const alice = await member('alice', 'room:lobby');
    const { page, violations } = await openAdmin();

    await page.getByTestId('login').waitFor(WAIT);
    await signIn(page, 'not-the-token');
    await page.getByTestId('login-message').filter({ hasText: TOKEN_REFUSED }).waitFor(WAIT);

    await signIn(page, TOKEN);
    const row = connectionRow(page, alice.connectionId);
    await row.waitFor(WAIT);
    expect(await row.locator('td').nth(1).textContent()).toBe('alice');
    expect(await row.locator('td').nth(5).textContent()).toBe('room:lobby');
    await page.locator('[data-testid="channels"] tr[data-channel="room:lobby"]').waitFor(WAIT);
    expect(await page.evaluate(() => sessionStorage.getItem('realtime-admin-token'))).toBe(TOKEN);

    page.once('dialog', (dialog) => void dialog.accept());
    await row.getByRole('button', { name: 'Disconnect', exact: true }).click();
    expect(await alice.waitClosed()).toEqual({ code: 4001, reason: 'disconnected by an administrator' });
    await row.waitFor({ state: 'detached', ...WAIT });
    expect(violations).toEqual([]);
  });

  it('shows what clients send as text, never as markup', async () => {
    const name = '<img src=x onerror="document.title=1">';
    const mallory = await member(name, 'room:lobby');
    const { page, violations } = await openAdmin();
    await signIn(page, TOKEN);
    const row = connectionRow(page, mallory.connectionId);
    await row.waitFor(WAIT);
    expect(await row.locator('td').nth(1).textContent()).toBe(name);
    await page.locator('[data-testid="channels"] tr[data-channel="room:lobby"] button').click();
    await page.locator('[data-testid="presence"] li').filter({ hasText: name }).waitFor(WAIT);
    expect(await page.locator('main img').count()).toBe(0);
    expect(await page.title()).toBe('Realtime admin');
    expect(violations).toEqual([]);
  });

  it('publishes to a channel and kicks a member from it, and keeps the token for the tab', async () => {
    const alice = await member('alice', 'room:lobby');
    const bob = await member('bob', 'room:lobby');
    const { page } = await openAdmin();
    await signIn(page, TOKEN);
    await page.locator('[data-testid="channels"] tr[data-channel="room:lobby"] button').click();
    await page.getByTestId('channel-name').filter({ hasText: 'room:lobby' }).waitFor(WAIT);

    await page.getByTestId('payload').fill('{"text": "maintenance at noon"}');
    const beforePublish = alice.mark();
    await page.getByTestId('publish').click();
    expect((await alice.eventFrom(beforePublish, 'channel:message')).data).toMatchObject({ channel: 'room:lobby', from: null, payload: { text: 'maintenance at noon' } });

    const bobsRow = page.locator('[data-testid="members"] tr[data-client-id="bob"]');
    await bobsRow.waitFor(WAIT);
    page.once('dialog', (dialog) => void dialog.accept());
    await bobsRow.getByRole('button', { name: 'Kick' }).click();
    expect((await bob.eventFrom(0, 'channel:kicked')).data).toEqual({ channel: 'room:lobby', reason: 'removed by an administrator' });
    await bobsRow.waitFor({ state: 'detached', ...WAIT });
    await page.screenshot({ path: join(OUTPUT, 'admin-page.png'), fullPage: true });

    await page.reload();
    await connectionRow(page, alice.connectionId).waitFor(WAIT);
    expect(await page.getByTestId('login').isHidden()).toBe(true);
  });
});
