import { execFile } from 'child_process';
import { mkdirSync, readFileSync } from 'fs';
import { join, resolve } from 'path';
import { promisify } from 'util';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from './support/chromium';
import { DemoServer } from './support/demo-server';

/** The part of the page's DOM that functions run inside the browser use (this file compiles for Node). */
interface PageElement {
  dataset: Record<string, string | undefined>;
  classList: { contains(name: string): boolean };
}
declare const document: { querySelector(selector: string): PageElement | null; querySelectorAll(selector: string): Iterable<PageElement> };

const run = promisify(execFile);
const ROOT = resolve(__dirname, '..');
const OUTPUT = join(ROOT, 'test-output');
const PAGE_DIR = join(OUTPUT, 'demo-page');
/** Long enough for a reconnect's backoff (the page keeps the client's default schedule). */
const WAIT = { timeout: 15_000 };

function stateIs(page: Page, state: string): Promise<void> {
  return page.getByTestId('connection-state').filter({ hasText: exactly(state) }).waitFor(WAIT);
}

/** Waits until the member list shows exactly these names, each once, with these statuses. */
async function membersAre(page: Page, expected: Record<string, string>): Promise<void> {
  const wanted = Object.entries(expected).sort().map(([name, status]) => `${name}:${status}`);
  await page.waitForFunction(
    (names) => {
      const items = [...document.querySelectorAll('[data-testid="members"] li')];
      const shown = items.map((item) => `${item.dataset.member}:${item.dataset.status}`);
      const list = document.querySelector('[data-testid="members"]');
      return !list?.classList.contains('stale') && JSON.stringify(shown) === JSON.stringify(names);
    },
    wanted,
    WAIT,
  );
}

async function say(page: Page, text: string): Promise<void> {
  await page.getByTestId('message-input').fill(text);
  await page.getByTestId('send').click();
}

function exactly(text: string): RegExp {
  return new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
}

/** Waits for a message in the log, then checks it is there once (no duplicate delivery). */
async function heard(page: Page, from: string, text: string): Promise<void> {
  const message = page
    .getByTestId('messages')
    .locator('li', { has: page.locator('.from', { hasText: exactly(from) }) })
    .filter({ has: page.locator('.text', { hasText: exactly(text) }) });
  await message.first().waitFor(WAIT);
  expect(await message.count()).toBe(1);
}

describe('the demo page in Chromium', () => {
  let server: DemoServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    mkdirSync(OUTPUT, { recursive: true });
    // The same build `npm start` runs, into the test's own directory.
    await run(process.execPath, [join(ROOT, 'apps/demo/page/build.js'), '--outdir', PAGE_DIR], { cwd: ROOT });
    [server, browser] = await Promise.all([DemoServer.start({ PAGE_DIR }), launchChromium()]);
  });

  afterAll(async () => {
    await Promise.all(contexts.map((context) => context.close()));
    await browser?.close();
    await server?.stop();
  });

  async function openPage(query: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1100, height: 720 } });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${server.http}/${query}`);
    return page;
  }

  it('bundles the client for browsers, without the ws package', () => {
    const meta = JSON.parse(readFileSync(join(PAGE_DIR, 'meta.json'), 'utf8')) as { inputs: Record<string, unknown> };
    const inputs = Object.keys(meta.inputs);
    expect(inputs).toEqual(expect.arrayContaining([expect.stringContaining('libs/client/src/realtime-client.ts')]));
    expect(inputs.filter((input) => input.includes('node_modules/ws/') || input.includes('ws.transport'))).toEqual([]);
  });

  it('type-checks the page sources against the DOM', async () => {
    await expect(run(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(ROOT, 'apps/demo/page/tsconfig.json')], { cwd: ROOT })).resolves.toBeDefined();
  });

  it('joins from the form and puts the room in the address', async () => {
    const page = await openPage('?room=garden');
    await page.locator('input[name="user"]').fill('carol');
    expect(await page.locator('input[name="room"]').inputValue()).toBe('garden');
    await page.getByRole('button', { name: 'Join' }).click();

    await stateIs(page, 'connected');
    await membersAre(page, { carol: 'online' });
    expect(new URL(page.url()).search).toBe('?user=carol&room=garden');
    await page.context().close();
  });

  it('two people in a room see each other, chat, and are back together after a server restart', async () => {
    const alice = await openPage('?user=alice&room=lobby');
    const bob = await openPage('?user=bob&room=lobby');
    await Promise.all([stateIs(alice, 'connected'), stateIs(bob, 'connected')]);
    await membersAre(alice, { alice: 'online', bob: 'online' });
    await membersAre(bob, { alice: 'online', bob: 'online' });

    await say(alice, 'hello bob');
    await heard(bob, 'alice', 'hello bob');
    await say(bob, 'hi alice');
    await heard(alice, 'bob', 'hi alice');
    await bob.getByTestId('status').selectOption('busy');
    await membersAre(alice, { alice: 'online', bob: 'busy' });

    await server.stop();
    await Promise.all([stateIs(alice, 'reconnecting'), stateIs(bob, 'reconnecting')]);
    await server.start();

    await Promise.all([stateIs(alice, 'connected'), stateIs(bob, 'connected')]);
    // Bob's rejoin carries his last meta: he is still busy.
    await membersAre(alice, { alice: 'online', bob: 'busy' });
    await membersAre(bob, { alice: 'online', bob: 'busy' });
    await say(alice, 'still there?');
    await heard(bob, 'alice', 'still there?');
    await heard(alice, 'alice', 'still there?');

    await alice.screenshot({ path: join(OUTPUT, 'demo-page.png') });
    await bob.screenshot({ path: join(OUTPUT, 'demo-page-bob.png') });
  });
});
