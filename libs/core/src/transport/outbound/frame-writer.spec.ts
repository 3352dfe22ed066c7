import { createServer, Server } from 'http';
import type { AddressInfo } from 'net';
import type { Duplex } from 'stream';
import { RawData, WebSocket, WebSocketServer } from 'ws';
import { FrameWriter } from './frame-writer';
import * as textFrame from './text-frame';

/** Real `ws` servers and clients on loopback: what the writer writes must be what clients read. */
describe('FrameWriter', () => {
  let http: Server;
  let wss: WebSocketServer;
  const clients: WebSocket[] = [];

  async function start(perMessageDeflate: boolean): Promise<void> {
    http = createServer();
    wss = new WebSocketServer({ server: http, perMessageDeflate });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  }

  /** A connected pair: the server's socket, and a client that records the text it reads. */
  async function pair(perMessageDeflate = false) {
    const accepted = new Promise<WebSocket>((resolve) => wss.once('connection', resolve));
    const client = new WebSocket(`ws://127.0.0.1:${(http.address() as AddressInfo).port}`, { perMessageDeflate });
    clients.push(client);
    const received: string[] = [];
    let waiting: { count: number; resolve: () => void } | undefined;
    client.on('message', (data: RawData) => {
      received.push(data.toString());
      if (waiting && received.length >= waiting.count) waiting.resolve();
    });
    /** Resolves once the client has read `count` messages in all. */
    const read = (count: number) =>
      new Promise<string[]>((resolve) => {
        if (received.length >= count) return resolve(received);
        waiting = { count, resolve: () => resolve(received) };
      });
    await new Promise((resolve) => client.once('open', resolve));
    return { server: await accepted, client, read };
  }

  afterEach(async () => {
    for (const client of clients.splice(0)) client.terminate();
    for (const socket of wss.clients) socket.terminate();
    await new Promise((resolve) => wss.close(resolve));
    await new Promise((resolve) => http.close(resolve));
    jest.restoreAllMocks();
  });

  it('frames a payload once for every socket it goes to in a tick, and each client reads it whole', async () => {
    await start(false);
    const pairs = [await pair(), await pair(), await pair()];
    const framing = jest.spyOn(textFrame, 'encodeTextFrame');
    const writer = new FrameWriter();
    const payload = Buffer.from(JSON.stringify({ event: 'channel:message', data: { text: 'é'.repeat(200) } }));

    for (const { server } of pairs) writer.write(server, FrameWriter.directTarget(server), payload);

    for (const { read } of pairs) expect(await read(1)).toEqual([payload.toString()]);
    expect(framing).toHaveBeenCalledTimes(1);
  });

  it('writes a burst to one socket in one write at the end of the tick', async () => {
    await start(false);
    const { server, read } = await pair();
    const target = FrameWriter.directTarget(server)!;
    const writev = jest.spyOn(target as Duplex & { _writev: () => void }, '_writev');
    const writer = new FrameWriter();

    for (let i = 0; i < 10; i++) writer.write(server, target, Buffer.from(`{"n":${i}}`));
    expect(target.writableCorked).toBe(1);

    expect(await read(10)).toEqual(Array.from({ length: 10 }, (_, i) => `{"n":${i}}`));
    expect(writev).toHaveBeenCalledTimes(1);
  });

  it('writes at once a socket holding 16 KiB or more, without waiting for the end of the tick', async () => {
    await start(false);
    const { server, read } = await pair();
    const target = FrameWriter.directTarget(server)!;
    const writer = new FrameWriter();
    const large = JSON.stringify({ text: 'x'.repeat(20_000) });

    writer.write(server, target, Buffer.from('{"n":1}'));
    expect(target.writableCorked).toBe(1);
    writer.write(server, target, Buffer.from(large));

    expect(target.writableCorked).toBe(0);
    expect(await read(2)).toEqual(['{"n":1}', large]);
  });

  it('keeps the order of frames when its writes and ws.send take turns on a socket', async () => {
    await start(false);
    const { server, read } = await pair();
    const writer = new FrameWriter();
    const target = FrameWriter.directTarget(server);

    for (let i = 0; i < 20; i++) {
      if (i % 3 === 0) server.send(`{"n":${i}}`);
      else writer.write(server, target, Buffer.from(`{"n":${i}}`));
    }

    expect(await read(20)).toEqual(Array.from({ length: 20 }, (_, i) => `{"n":${i}}`));
  });

  it('leaves sockets with permessage-deflate to ws, and their clients read every frame in order', async () => {
    await start(true);
    const { server, read, client } = await pair(true);
    const writer = new FrameWriter();
    const large = JSON.stringify({ text: 'x'.repeat(5000) });

    expect(client.extensions).toContain('permessage-deflate');
    expect(FrameWriter.directTarget(server)).toBeUndefined();
    writer.write(server, FrameWriter.directTarget(server), Buffer.from(large));
    writer.write(server, FrameWriter.directTarget(server), Buffer.from('{"n":2}'));

    expect(await read(2)).toEqual([large, '{"n":2}']);
  });
});
