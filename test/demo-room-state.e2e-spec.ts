import { execFile } from 'child_process';
import { mkdirSync } from 'fs';
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
declare const document: { querySelector(selector: string): PageElement | null };

const run = promisify(execFile);
const ROOT = resolve(__dirname, '..');
const OUTPUT = join(ROOT, 'test-output');
const PAGE_DIR = join(OUTPUT, 'demo-room-state-page');
/** Short, so a silent member goes away within the test. */
const AWAY_MS = 1_500;
const WAIT = { timeout: 15_000 };

function exactly(text: string): RegExp {
  return new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
}

function stateIs(page: Page, state: string): Promise<void> {
  return page.getByTestId('connection-state').filter({ hasText: exactly(state) }).waitFor(WAIT);
}

/** Waits until the (up to date) member list shows this member in this status. */
async function statusIs(page: Page, member: string, status: string): Promise<void> {
  await page.waitForFunction(
    ([name, wanted]) => {
      const list = document.querySelector('[data-testid="members"]');
      const item = document.querySelector(`[data-testid="members"] li[data-member="${name}"]`);
      return !list?.classList.contains('stale') && item?.dataset.status === wanted;
    },
    [member, status] as const,
    WAIT,
  );
}

async function topicIs(page: Page, topic: string, by: string): Promise<void> {
  await page.getByTestId('topic').filter({ hasText: exactly(topic) }).waitFor(WAIT);
  expect(await page.getByTestId('topic-by').textContent()).toBe(`set by ${by}`);
}

async function setTopic(page: Page, topic: string): Promise<void> {
  await page.getByTestId('topic-input').fill(topic);
  await page.getByTestId('set-topic').click();
}

describe('the demo page in Chromium: room topic and member statuses', () => {
  let server: DemoServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    mkdirSync(OUTPUT, { recursive: true });
    await run(process.execPath, [join(ROOT, 'apps/demo/page/build.js'), '--outdir', PAGE_DIR], { cwd: ROOT });
    [server, browser] = await Promise.all([DemoServer.start({ PAGE_DIR, PRESENCE_AWAY_MS: String(AWAY_MS) }), launchChromium()]);
  });

  afterAll(async () => {
    await Promise.all(contexts.map((context) => context.close()));
    await browser?.close();
    await server?.stop();
  });

  async function openPage(user: string, room: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1100, height: 720 } });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${server.http}/?user=${user}&room=${room}`);
    await stateIs(page, 'connected');
    return page;
  }

  it('shows the topic one member sets to the others, live, and to those who join later', async () => {
    const alice = await openPage('alice', 'topics');
    const bob = await openPage('bob', 'topics');
    expect(await bob.getByTestId('topic').textContent()).toBe('No topic yet');

    await setTopic(alice, 'Release day');
    await topicIs(bob, 'Release day', 'alice');
    await topicIs(alice, 'Release day', 'alice');

    await setTopic(bob, 'Release day, take two');
    await topicIs(alice, 'Release day, take two', 'bob');

    const carol = await openPage('carol', 'topics');
    await topicIs(carol, 'Release day, take two', 'bob');
  });

  it('shows a member busy, a silent member away, and the same member online again once it acts', async () => {
    const alice = await openPage('alice', 'statuses');
    const bob = await openPage('bob', 'statuses');

    await bob.getByTestId('status').selectOption('busy');
    await statusIs(alice, 'bob', 'busy');

    // Alice's page sends nothing but heartbeats, which are not activity: after AWAY_MS she is away.
    await statusIs(bob, 'alice', 'away');
    // Busy is Bob's choice: no timeout moves it.
    await statusIs(alice, 'bob', 'busy');

    await alice.getByTestId('message-input').fill('back');
    await alice.getByTestId('send').click();
    await statusIs(bob, 'alice', 'online');

    await bob.screenshot({ path: join(OUTPUT, 'demo-room-state.png') });
  });
});
