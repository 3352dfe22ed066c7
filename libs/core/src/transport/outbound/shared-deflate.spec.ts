import { randomBytes } from 'crypto';
import { createServer, Server } from 'http';
import type { AddressInfo } from 'net';
import { RawData, WebSocket, WebSocketServer } from 'ws';
import { perMessageDeflate } from '../server/per-message-deflate';
import { CompressionPolicy } from './compression.policy';
import * as deflatedFrame from './deflated-frame';
import { FrameWriter } from './frame-writer';
import { LEAVE_TO_WS, SEND_PLAIN, SharedDeflate, SharedDeflater } from './shared-deflate';

const DEFAULTS = { threshold: 1024, level: 3, memLevel: 8, windowBits: 15, contextTakeover: false, concurrency: 10 };
const large = (text: string) => Buffer.from(JSON.stringify({ event: 'channel:message', data: { text: text.repeat(Math.ceil(4000 / text.length)) } }));

describe('SharedDeflater', () => {
  const settings: SharedDeflate = { threshold: 1024, zlib: { level: 3, windowBits: 15 } };

  it('compresses a payload once for every socket of a tick with the same settings', () => {
    const deflating = jest.spyOn(deflatedFrame, 'deflateMessage');
    const deflater = new SharedDeflater();
    const payload = large('hello ');

    const frames = Array.from({ length: 5 }, () => deflater.frameOf(payload, settings));

    expect(deflating).toHaveBeenCalledTimes(1);
    expect(new Set(frames).size).toBe(1);
    expect((frames[0] as Buffer)[0]).toBe(0xc1);
    deflating.mockRestore();
  });

  it('compresses once per settings when the sockets of a broadcast differ', () => {
    const deflater = new SharedDeflater();
    const payload = large('hello ');
    const smallWindow: SharedDeflate = { threshold: 1024, zlib: { level: 3, windowBits: 9 } };

    expect(deflater.frameOf(payload, settings)).not.toBe(deflater.frameOf(payload, smallWindow));
  });

  it('sends payloads under the threshold plain, without compressing them', () => {
    const deflating = jest.spyOn(deflatedFrame, 'deflateMessage');

    expect(new SharedDeflater().frameOf(Buffer.from('{"event":"x"}'.padEnd(1023)), settings)).toBe(SEND_PLAIN);
    expect(deflating).not.toHaveBeenCalled();
    deflating.mockRestore();
  });

  it('sends plain a payload whose compressed size does not pay', () => {
    const noise = Buffer.from(JSON.stringify({ data: randomBytes(3000).toString('base64') }));

    expect(new SharedDeflater(new CompressionPolicy(0.5)).frameOf(noise, settings)).toBe(SEND_PLAIN);
    expect(new SharedDeflater(new CompressionPolicy(0.9)).frameOf(noise, settings)).toBeInstanceOf(Buffer);
  });

  it('leaves payloads over 64 KiB to ws, which compresses them off the event loop', () => {
    expect(new SharedDeflater().frameOf(large('x'.repeat(70_000)), settings)).toBe(LEAVE_TO_WS);
  });
});

/** Real `ws` servers with the module's permessage-deflate settings, and clients that offer the extension or not. */
describe('FrameWriter with permessage-deflate', () => {
  let http: Server;
  let wss: WebSocketServer;
  const clients: WebSocket[] = [];

  async function start(contextTakeover = false): Promise<void> {
    http = createServer();
    wss = new WebSocketServer({ server: http, perMessageDeflate: perMessageDeflate({ ...DEFAULTS, contextTakeover }) });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  }

  async function pair(offersDeflate = true) {
    const accepted = new Promise<WebSocket>((resolve) => wss.once('connection', resolve));
    const client = new WebSocket(`ws://127.0.0.1:${(http.address() as AddressInfo).port}`, { perMessageDeflate: offersDeflate });
    clients.push(client);
    const received: string[] = [];
    let waiting: { count: number; resolve: () => void } | undefined;
    client.on('message', (data: RawData) => {
      received.push(data.toString());
      if (waiting && received.length >= waiting.count) waiting.resolve();
    });
    const read = (count: number) =>
      new Promise<string[]>((resolve) => {
        if (received.length >= count) return resolve(received);
        waiting = { count, resolve: () => resolve(received) };
      });
    await new Promise((resolve) => client.once('open', resolve));
    const server = await accepted;
    return { server, client, read, target: FrameWriter.directTarget(server) };
  }

  afterEach(async () => {
    for (const client of clients.splice(0)) client.terminate();
    for (const socket of wss.clients) socket.terminate();
    await new Promise((resolve) => wss.close(resolve));
    await new Promise((resolve) => http.close(resolve));
    jest.restoreAllMocks();
  });

  it('deflates a broadcast once, writes it with RSV1 straight to every socket, and each client reads it whole', async () => {
    await start();
    const pairs = [await pair(), await pair(), await pair()];
    const deflating = jest.spyOn(deflatedFrame, 'deflateMessage');
    const writes = pairs.map(({ target }) => jest.spyOn(target!, 'write'));
    const writer = new FrameWriter();
    const payload = large('{"user":"ana","text":"hola"},');

    for (const { server, target } of pairs) writer.write(server, target, payload);

    for (const { read } of pairs) expect(await read(1)).toEqual([payload.toString()]);
    expect(deflating).toHaveBeenCalledTimes(1);
    for (const write of writes) {
      const frame = write.mock.calls[0][0] as Buffer;
      expect(frame[0]).toBe(0xc1);
      expect(frame.length).toBeLessThan(payload.length / 4);
    }
  });

  it('keeps the order of compressed, plain, small and oversized frames on a socket, mixed with ws.send', async () => {
    await start();
    const { server, target, read } = await pair();
    const writer = new FrameWriter();
    const sent = Array.from({ length: 24 }, (_, i) => {
      const shape = i % 4;
      if (shape === 0) return `{"n":${i}}`;
      if (shape === 1) return JSON.stringify({ n: i, text: 'compressible '.repeat(200) });
      if (shape === 2) return JSON.stringify({ n: i, noise: randomBytes(1500).toString('base64') });
      return JSON.stringify({ n: i, text: 'z'.repeat(70_000) });
    });

    sent.forEach((text, i) => (i % 5 === 4 ? server.send(text) : writer.write(server, target, Buffer.from(text))));

    expect(await read(sent.length)).toEqual(sent);
  });

  it('writes the plain frame to clients without the extension in the same broadcast', async () => {
    await start();
    const withDeflate = await pair(true);
    const without = await pair(false);
    const writer = new FrameWriter();
    const payload = large('hello ');

    expect(without.client.extensions).toBe('');
    for (const { server, target } of [withDeflate, without]) writer.write(server, target, payload);

    expect(await withDeflate.read(1)).toEqual([payload.toString()]);
    expect(await without.read(1)).toEqual([payload.toString()]);
  });

  it('deflates binary broadcasts once too, and the client reads the bytes as binary', async () => {
    await start();
    const pairs = [await pair(), await pair()];
    const deflating = jest.spyOn(deflatedFrame, 'deflateMessage');
    const writer = new FrameWriter();
    const payload = large('binary-ish ');
    const binaries = pairs.map(({ client }) => new Promise<boolean>((resolve) => client.once('message', (_data, isBinary) => resolve(isBinary))));

    for (const { server, target } of pairs) writer.write(server, target, payload, true);

    for (const { read } of pairs) expect(await read(1)).toEqual([payload.toString()]);
    expect(await Promise.all(binaries)).toEqual([true, true]);
    expect(deflating).toHaveBeenCalledTimes(1);
  });

  it('leaves sockets with context takeover to ws, and their clients read every frame in order', async () => {
    await start(true);
    const { server, client, target, read } = await pair();
    const writer = new FrameWriter();
    const texts = [large('a').toString(), '{"n":2}', large('b').toString()];

    const { params } = (client as unknown as { _extensions: Record<string, { params: Record<string, unknown> }> })._extensions['permessage-deflate'];
    expect(params.server_no_context_takeover).toBeUndefined();
    expect(target).toBeUndefined();
    for (const text of texts) writer.write(server, target, Buffer.from(text));

    expect(await read(3)).toEqual(texts);
  });
});
