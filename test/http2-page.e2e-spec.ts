import { execFile } from 'child_process';
import { mkdirSync } from 'fs';
import { join, resolve } from 'path';
import { promisify } from 'util';
import type { Browser, Page } from 'playwright-core';
import { ConnectionService } from '@nest-realtime/core';
import { launchChromium } from './support/chromium';
import { DemoServer } from './support/demo-server';
import { makeTestCertificate, TestCertificate } from './support/test-certificate';

declare const window: { performance: { getEntriesByType(type: string): Array<{ nextHopProtocol: string }> } };

const run = promisify(execFile);
const ROOT = resolve(__dirname, '..');
const PAGE_DIR = join(ROOT, 'test-output', 'demo-page-h2');
const WAIT = { timeout: 15_000 };

describe('the demo page over HTTP/2 in Chromium', () => {
  let certificate: TestCertificate;
  let server: DemoServer;
  let browser: Browser;

  beforeAll(async () => {
    mkdirSync(PAGE_DIR, { recursive: true });
    certificate = await makeTestCertificate();
    await run(process.execPath, [join(ROOT, 'apps/demo/page/build.js'), '--outdir', PAGE_DIR], { cwd: ROOT });
    // The test's own certificate: the browser is told to take it.
    [server, browser] = await Promise.all([
      DemoServer.start({ PAGE_DIR, TLS_CERT: certificate.certFile, TLS_KEY: certificate.keyFile }),
      launchChromium(['--ignore-certificate-errors']),
    ]);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await certificate?.remove();
  });

  async function openPage(query: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1100, height: 720 } });
    const page = await context.newPage();
    await page.goto(`${server.http}/${query}`);
    return page;
  }

  it('loads the page over h2, and its WebSocket runs over h2 too', async () => {
    const alice = await openPage('?user=alice&room=h2');
    const bob = await openPage('?user=bob&room=h2');

    expect(await alice.evaluate(() => window.performance.getEntriesByType('navigation')[0].nextHopProtocol)).toBe('h2');
    await alice.getByTestId('connection-state').filter({ hasText: /^connected$/ }).waitFor(WAIT);
    await bob.getByTestId('connection-state').filter({ hasText: /^connected$/ }).waitFor(WAIT);
    const connections = server.get(ConnectionService);
    expect(connections.ofClient('alice').map((connection) => connection.transport)).toEqual(['h2']);

    await bob.getByTestId('message-input').fill('over one connection');
    await bob.getByTestId('send').click();
    await alice.getByTestId('messages').locator('li', { hasText: 'over one connection' }).first().waitFor(WAIT);
    expect(connections.ofClient('bob').map((connection) => connection.transport)).toEqual(['h2']);
    await Promise.all([alice.context().close(), bob.context().close()]);
  });
});
