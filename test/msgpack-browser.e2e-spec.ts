import { build } from 'esbuild';
import { join } from 'path';
import type { Browser } from 'playwright-core';
import { RealtimeClient, wsTransport } from '@nest-realtime/client/node';
import { userFromQuery } from './support/auth';
import { collectMessages } from './support/client-waits';
import { launchChromium } from './support/chromium';
import { RealtimeTestApp } from './support/realtime-app';

const ROOT = join(__dirname, '..');

/** The client's browser entry, bundled as a page would bundle it, with the global `RealtimeClient`. */
async function bundleClient(): Promise<string> {
  const result = await build({
    stdin: { contents: "import { RealtimeClient } from '@nest-realtime/client'; (globalThis as any).RealtimeClient = RealtimeClient;", loader: 'ts', resolveDir: ROOT },
    tsconfig: join(ROOT, 'tsconfig.json'),
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: ['es2020'],
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const inputs = Object.keys(result.metafile.inputs);
  expect(inputs.some((input) => input.includes('node_modules/@msgpack/msgpack'))).toBe(true);
  expect(inputs.filter((input) => input.includes('node_modules/ws/'))).toEqual([]);
  return result.outputFiles[0].text;
}

describe('the client SDK with encoding msgpack in Chromium', () => {
  let rt: RealtimeTestApp;
  let browser: Browser;
  let bundle: string;
  let node: RealtimeClient | undefined;

  beforeAll(async () => {
    [rt, browser, bundle] = await Promise.all([
      RealtimeTestApp.start({ authenticate: userFromQuery, channels: [{ pattern: 'room:*', presence: true }], presence: { batchMs: 0 }, logLevels: [] }),
      launchChromium(),
      bundleClient(),
    ]);
  });

  afterAll(async () => {
    node?.close();
    await browser?.close();
    await rt?.close();
  });

  it('joins, publishes bytes and receives bytes from a Node member, over binary frames', async () => {
    node = new RealtimeClient({ url: rt.url, params: { user: 'bob' }, transport: wsTransport(), encoding: 'msgpack' });
    await node.connect();
    const nodeRoom = node.channel<{ bytes: Uint8Array; from: string }>('room:web');
    const heard = collectMessages(nodeRoom);
    await nodeRoom.join();

    const page = await (await browser.newContext()).newPage();
    // A page of the server's own origin (the default origin policy refuses others, and about:blank); its 404 is no matter.
    await page.goto(`${rt.http}/`);
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    await page.addScriptTag({ content: bundle });
    const inPage = page.evaluate(async (url) => {
      const protocols: string[] = [];
      const NativeWebSocket = WebSocket;
      (globalThis as any).WebSocket = class extends NativeWebSocket {
        constructor(target: string, offered: string[]) {
          super(target, offered);
          this.addEventListener('open', () => protocols.push(this.protocol));
        }
      };
      const client = new (globalThis as any).RealtimeClient({ url, params: { user: 'alice' }, encoding: 'msgpack' });
      await client.connect();
      const room = client.channel('room:web');
      const fromBob = new Promise<any>((resolve) => room.onMessage((message: any) => message.from === 'bob' && resolve(message.payload)));
      await room.join({ name: 'Alice' });
      await room.publish({ bytes: new Uint8Array([1, 2, 3, 250]), from: 'alice' });
      const payload = await fromBob;
      const members = room.presence.list().map((member: any) => member.clientId).sort();
      client.close();
      return { protocols, members, isBytes: payload.bytes instanceof Uint8Array, bytes: Array.from(payload.bytes as Uint8Array) };
    }, rt.url);

    await Promise.race([heard.count(1), inPage]);
    expect(problems).toEqual([]);
    expect(Buffer.from(heard.messages[0].payload.bytes).equals(Buffer.from([1, 2, 3, 250]))).toBe(true);
    await nodeRoom.publish({ bytes: new Uint8Array([9, 8, 7]), from: 'bob' });

    expect(await inPage).toEqual({ protocols: ['realtime.v1.msgpack'], members: ['alice', 'bob'], isBytes: true, bytes: [9, 8, 7] });
  });
});
