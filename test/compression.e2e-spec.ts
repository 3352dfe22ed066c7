import { randomBytes } from 'crypto';
import * as deflatedFrame from '../libs/core/src/transport/outbound/deflated-frame';
import { RealtimeTestApp } from './support/realtime-app';
import type { TestClient } from './support/test-client';

const CHANNEL = 'chat:deflate';
const MEMBERS = 8;

/** Payloads of each kind the adaptive compression tells apart. */
const compressible = (n: number) => JSON.stringify({ n, rows: Array.from({ length: 60 }, (_, i) => ({ id: i, user: `user-${i % 7}`, text: 'hello there' })) });
const hardlyCompressible = (n: number) => JSON.stringify({ n, noise: randomBytes(3000).toString('base64') });
const small = (n: number) => JSON.stringify({ n });

/** The permessage-deflate parameters a client's connection agreed on. */
function negotiated(client: TestClient): Record<string, unknown> {
  return (client.socket as unknown as { _extensions: Record<string, { params: Record<string, unknown> }> })._extensions['permessage-deflate'].params;
}

describe('adaptive compression of broadcasts (permessage-deflate)', () => {
  let rt: RealtimeTestApp;

  afterEach(async () => {
    jest.restoreAllMocks();
    await rt.close();
  });

  async function members(count: number, offersDeflate = true): Promise<TestClient[]> {
    const clients: TestClient[] = [];
    for (let i = 0; i < count; i++) {
      const client = await rt.connect(undefined, { perMessageDeflate: offersDeflate });
      expect((await client.request('channel:join', { channel: CHANNEL })).ok).toBe(true);
      clients.push(client);
    }
    return clients;
  }

  /** Publishes each payload from a publisher of its own, and resolves with what each member read of the channel. */
  async function broadcast(clients: TestClient[], payloads: string[]): Promise<string[][]> {
    const publisher = await rt.connect();
    await publisher.request('channel:join', { channel: CHANNEL });
    const from = clients.map((client) => client.mark());
    for (const payload of payloads) publisher.send({ event: 'channel:publish', data: { channel: CHANNEL, payload } });
    const last = payloads[payloads.length - 1];
    await Promise.all(clients.map((client, i) => client.eventFrom(from[i], 'channel:message', (data) => data.payload === last)));
    return clients.map((client, i) => client.eventsSince('channel:message', from[i]).map((frame) => frame.data.payload as string));
  }

  it('sends every member a large compressible broadcast, deflated once for all of them', async () => {
    rt = await RealtimeTestApp.start({ compression: true });
    const clients = await members(MEMBERS);
    const deflating = jest.spyOn(deflatedFrame, 'deflateMessage');
    const payload = compressible(1);

    expect(negotiated(clients[0])).toEqual(expect.objectContaining({ server_no_context_takeover: true }));
    const received = await broadcast(clients, [payload]);

    for (const texts of received) expect(texts).toEqual([payload]);
    // The publisher is a member too, with the same settings: still one deflate.
    expect(deflating).toHaveBeenCalledTimes(1);
  });

  it('takes fewer bytes on the wire for a compressible broadcast than its size', async () => {
    rt = await RealtimeTestApp.start({ compression: true });
    const [client] = await members(1);
    const tcp = (client.socket as unknown as { _socket: { bytesRead: number } })._socket;
    const payload = compressible(1);

    const before = tcp.bytesRead;
    expect(await broadcast([client], [payload])).toEqual([[payload]]);
    expect(tcp.bytesRead - before).toBeLessThan(payload.length / 3);
  });

  it('sends hardly compressible and small broadcasts correctly, and keeps the order of mixed ones', async () => {
    rt = await RealtimeTestApp.start({ compression: true });
    const clients = await members(MEMBERS);
    const payloads = Array.from({ length: 30 }, (_, n) => [compressible, hardlyCompressible, small][n % 3](n));

    for (const texts of await broadcast(clients, payloads)) expect(texts).toEqual(payloads);
  });

  it('sends the same broadcasts to members without the extension, uncompressed, beside members with it', async () => {
    rt = await RealtimeTestApp.start({ compression: true });
    const plain = await members(3, false);
    const deflating = await members(3, true);
    const payloads = [compressible(1), small(2), hardlyCompressible(3)];

    expect(plain[0].socket.extensions).toBe('');
    for (const texts of await broadcast([...plain, ...deflating], payloads)) expect(texts).toEqual(payloads);
  });

  it('still works with context takeover, where each connection compresses on its own', async () => {
    rt = await RealtimeTestApp.start({ compression: { contextTakeover: true } });
    const clients = await members(4);
    const deflating = jest.spyOn(deflatedFrame, 'deflateMessage');
    const payloads = Array.from({ length: 12 }, (_, n) => [compressible, hardlyCompressible, small][n % 3](n));

    expect(negotiated(clients[0]).server_no_context_takeover).toBeUndefined();
    for (const texts of await broadcast(clients, payloads)) expect(texts).toEqual(payloads);
    expect(deflating).not.toHaveBeenCalled();
  });
});
