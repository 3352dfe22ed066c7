import { execFile } from 'child_process';
import { mkdirSync, readFileSync } from 'fs';
import { join, resolve } from 'path';
import { promisify } from 'util';
import type { Browser, Page } from 'playwright-core';
import PusherServer from 'pusher';
import Pusher, { type PresenceChannel } from 'pusher-js';
import { launchChromium } from './support/chromium';
import { DemoServer } from './support/demo-server';

/** The part of the page's DOM that functions run inside the browser use (this file compiles for Node). */
interface PageElement {
  dataset: Record<string, string | undefined>;
}
declare const document: { querySelectorAll(selector: string): Iterable<PageElement> };

const run = promisify(execFile);
const ROOT = resolve(__dirname, '..');
const OUTPUT = join(ROOT, 'test-output');
const PAGE_DIR = join(OUTPUT, 'pusher-page');
const APP = { appId: 'browser-e2e', key: 'browser-e2e-key', secret: 'browser-e2e-secret' };
const WAIT = { timeout: 15_000 };

function exactly(text: string): RegExp {
  return new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
}

function stateIs(page: Page, state: string): Promise<void> {
  return page.getByTestId('connection-state').filter({ hasText: exactly(state) }).waitFor(WAIT);
}

/** Waits until the page lists exactly these members (user_ids). */
async function membersAre(page: Page, expected: string[]): Promise<void> {
  await page.waitForFunction(
    (wanted) => JSON.stringify([...document.querySelectorAll('[data-testid="members"] li')].map((item) => item.dataset.member)) === JSON.stringify(wanted),
    [...expected].sort(),
    WAIT,
  );
}

/** Waits for a line of the log, then checks it is there once. */
async function logged(page: Page, line: { event: string; channel: string; from: string; text: string }): Promise<void> {
  const found = page
    .locator(`[data-testid="messages"] li[data-event="${line.event}"][data-channel="${line.channel}"]`)
    .filter({ has: page.locator('.from', { hasText: exactly(line.from) }) })
    .filter({ has: page.locator('.text', { hasText: exactly(line.text) }) });
  await found.first().waitFor(WAIT);
  expect(await found.count()).toBe(1);
}

/** Resolves with the first event `event` of a pusher-js channel, with its metadata. */
function next<T>(channel: { bind(event: string, callback: (data: T, metadata?: { user_id?: string }) => void): unknown }, event: string): Promise<{ data: T; userId?: string }> {
  return new Promise((resolve) => channel.bind(event, (data, metadata) => resolve({ data, userId: metadata?.user_id })));
}

describe('pusher-js in Chromium, on the demo', () => {
  let server: DemoServer;
  let browser: Browser;
  const nodeClients: Pusher[] = [];

  beforeAll(async () => {
    mkdirSync(OUTPUT, { recursive: true });
    // The same build `npm start` runs, into the test's own directory.
    await run(process.execPath, [join(ROOT, 'apps/demo/page/build.js'), '--outdir', PAGE_DIR], { cwd: ROOT });
    [server, browser] = await Promise.all([
      DemoServer.start({ PAGE_DIR, PUSHER_APP_ID: APP.appId, PUSHER_APP_KEY: APP.key, PUSHER_APP_SECRET: APP.secret }),
      launchChromium(),
    ]);
  });

  afterAll(async () => {
    for (const client of nodeClients) client.disconnect();
    await browser?.close();
    await server?.stop();
  });

  const port = () => Number(new URL(server.http).port);

  /** pusher-js's Node build, authorized by the demo's /pusher/auth as the page is. */
  async function nodeClient(user: string): Promise<Pusher> {
    const client = new Pusher(APP.key, {
      cluster: 'demo',
      wsHost: '127.0.0.1',
      wsPort: port(),
      forceTLS: false,
      enabledTransports: ['ws'],
      channelAuthorization: { endpoint: `${server.http}/pusher/auth`, transport: 'ajax', headers: { Authorization: `Bearer ${await server.tokenFor(user)}` } },
    });
    nodeClients.push(client);
    return client;
  }

  async function openPage(query: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1100, height: 720 } });
    const page = await context.newPage();
    await page.goto(`${server.http}/pusher${query}`);
    return page;
  }

  it("bundles pusher-js's browser build, unchanged, into the Pusher page", () => {
    const meta = JSON.parse(readFileSync(join(PAGE_DIR, 'meta.json'), 'utf8')) as { inputs: Record<string, unknown> };
    const inputs = Object.keys(meta.inputs);
    expect(inputs).toContain('node_modules/pusher-js/dist/web/pusher.js');
    expect(inputs.filter((input) => input.includes('pusher-js/dist/node') || input.includes('node_modules/ws/'))).toEqual([]);
  });

  it('joins a presence channel, sees a Node member come and go, trades client events with it, and gets server events on public and private channels', async () => {
    const alice = await openPage('?user=alice&room=lobby');
    await stateIs(alice, 'connected');
    await membersAre(alice, ['alice']);

    const bob = await nodeClient('bob');
    const lobby = bob.subscribe('presence-lobby') as PresenceChannel;
    await next(lobby, 'pusher:subscription_succeeded');
    expect(lobby.members.count).toBe(2);
    expect(lobby.members.me).toEqual({ id: 'bob', info: { name: 'bob' } });
    expect(lobby.members.get('alice')).toEqual({ id: 'alice', info: { name: 'alice' } });
    await membersAre(alice, ['alice', 'bob']);

    expect(lobby.trigger('client-message', { text: 'hello from Node' })).toBe(true);
    await logged(alice, { event: 'client-message', channel: 'presence-lobby', from: 'bob', text: 'hello from Node' });

    const heard = next<{ text: string }>(lobby, 'client-message');
    await alice.getByTestId('message-input').fill('hi bob');
    await alice.getByTestId('send').click();
    expect(await heard).toEqual({ data: { text: 'hi bob' }, userId: 'alice' });

    // Pusher's server SDK, on the demo's HTTP API: the public channel, the presence channel, alice's own inbox.
    const api = new PusherServer({ ...APP, host: '127.0.0.1', port: String(port()), useTLS: false });
    await api.trigger(['lobby', 'presence-lobby'], 'message', { text: 'the lobby closes at ten', from: 'desk' });
    await api.trigger('private-user-alice', 'message', { text: 'your table is ready' });
    await logged(alice, { event: 'message', channel: 'lobby', from: 'desk', text: 'the lobby closes at ten' });
    await logged(alice, { event: 'message', channel: 'presence-lobby', from: 'desk', text: 'the lobby closes at ten' });
    await logged(alice, { event: 'message', channel: 'private-user-alice', from: 'server', text: 'your table is ready' });

    bob.disconnect();
    await membersAre(alice, ['alice']);
    await alice.screenshot({ path: join(OUTPUT, 'pusher-page.png') });
    await alice.context().close();
  });

  it('two browsers see each other join and leave, and the page refuses another user\'s private channel', async () => {
    const carol = await openPage('?user=carol&room=garden');
    const dave = await openPage('?user=dave&room=garden');
    await Promise.all([membersAre(carol, ['carol', 'dave']), membersAre(dave, ['carol', 'dave'])]);

    await carol.getByTestId('message-input').fill('the roses are out');
    await carol.getByTestId('send').click();
    await logged(dave, { event: 'client-message', channel: 'presence-garden', from: 'carol', text: 'the roses are out' });

    // /pusher/auth answers 403 for someone else's private-user- channel: pusher-js reports the refusal.
    const mallory = await nodeClient('mallory');
    const foreign = mallory.subscribe('private-user-carol');
    expect((await next<{ status: number }>(foreign, 'pusher:subscription_error')).data).toEqual(expect.objectContaining({ status: 403 }));

    await dave.context().close();
    await membersAre(carol, ['carol']);
    await carol.context().close();
  });
});
