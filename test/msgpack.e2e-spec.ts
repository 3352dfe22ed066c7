import { MessageBody, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import { WebSocket } from 'ws';
import { ChannelService } from '@nest-realtime/core';
import { decodeMsgpack, encodeMsgpack, type Frame, MSGPACK_SUBPROTOCOL } from '@nest-realtime/protocol';
import { RealtimeClient, type RealtimeClientOptions, wsTransport } from '@nest-realtime/client/node';
import { userFromQuery } from './support/auth';
import { collectMessages, membersWhen } from './support/client-waits';
import { GatedTransport } from './support/gated-transport';
import { RealtimeTestApp } from './support/realtime-app';
import * as msgpackCodec from '../libs/protocol/src/msgpack.codec';

@WebSocketGateway()
class EchoGateway {
  @SubscribeMessage('echo')
  echo(@MessageBody() data: unknown): unknown {
    return data;
  }
}

type Meta = { name: string };

interface EchoSchema {
  requests: { echo: { data: unknown; result: unknown } };
}

/** A raw `ws` socket speaking MessagePack, for what the SDK would never send. */
class RawMsgpackSocket {
  readonly frames: Frame[] = [];
  private waiters: Array<() => void> = [];

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data, isBinary) => {
      expect(isBinary).toBe(true);
      this.frames.push(decodeMsgpack(data as Buffer, { maxDepth: 64, bin: 'bytes' }) as Frame);
      this.waiters.forEach((wake) => wake());
    });
  }

  static async open(url: string): Promise<RawMsgpackSocket> {
    const raw = new RawMsgpackSocket(new WebSocket(url, [MSGPACK_SUBPROTOCOL]));
    await raw.next((frame) => frame.event === 'connection:welcome');
    return raw;
  }

  async next(match: (frame: Frame) => boolean): Promise<Frame> {
    for (;;) {
      const found = this.frames.find(match);
      if (found) return found;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  async request(event: string, data: unknown): Promise<any> {
    const ref = `r${this.frames.length}-${Math.random()}`;
    this.socket.send(encodeMsgpack({ event, data, ref }));
    return (await this.next((frame) => frame.event === 'reply' && frame.ref === ref)).data;
  }
}

describe('the MessagePack encoding (realtime.v1.msgpack)', () => {
  let rt: RealtimeTestApp;
  let clients: RealtimeClient<EchoSchema>[];
  let sockets: WebSocket[];

  beforeEach(async () => {
    clients = [];
    sockets = [];
    rt = await RealtimeTestApp.start(
      {
        authenticate: userFromQuery,
        channels: [
          { pattern: 'room:*', presence: true, history: { size: 10, ttl: 60_000 } },
        ],
        presence: { batchMs: 0 },
        logLevels: [],
      },
      { providers: [EchoGateway] },
    );
  });

  afterEach(async () => {
    clients.forEach((client) => client.close());
    sockets.forEach((socket) => socket.terminate());
    await rt.close();
  });

  function clientOf(user: string, options: Partial<RealtimeClientOptions> = {}): RealtimeClient<EchoSchema> {
    const client = new RealtimeClient<EchoSchema>({ url: rt.url, params: { user }, transport: wsTransport(), encoding: 'msgpack', reconnect: { baseDelay: 10, maxDelay: 10 }, ...options });
    clients.push(client);
    return client;
  }

  async function raw(user: string): Promise<RawMsgpackSocket> {
    const socket = await RawMsgpackSocket.open(rt.urlWith({ user }));
    sockets.push(socket.socket);
    return socket;
  }

  it('gives a client that offers realtime.v1.msgpack binary frames, and JSON to one that offers nothing', async () => {
    const binary = new WebSocket(rt.urlWith({ user: 'alice' }), [MSGPACK_SUBPROTOCOL, 'realtime.v1.json']);
    const text = new WebSocket(rt.urlWith({ user: 'bob' }));
    sockets.push(binary, text);
    const [first, firstText] = await Promise.all(
      [binary, text].map((socket) => new Promise<[unknown, boolean]>((resolve) => socket.once('message', (data, isBinary) => resolve([data, isBinary])))),
    );

    expect(binary.protocol).toBe(MSGPACK_SUBPROTOCOL);
    expect(first[1]).toBe(true);
    expect(decodeMsgpack(first[0] as Buffer, { maxDepth: 8, bin: 'bytes' })).toMatchObject({ event: 'connection:welcome', data: { clientId: 'alice' } });
    expect(text.protocol).toBe('');
    expect(firstText[1]).toBe(false);
  });

  it('joins with presence, sees the state and the diffs, and answers requests', async () => {
    const alice = clientOf('alice');
    const bob = clientOf('bob');
    await Promise.all([alice.connect(), bob.connect()]);
    const lobby = alice.channel<unknown, Meta>('room:lobby');
    await lobby.join({ name: 'Alice' });
    const bobsLobby = bob.channel<unknown, Meta>('room:lobby');
    await bobsLobby.join({ name: 'Bob' });

    const members = await membersWhen(lobby, (list) => list.length === 2);
    expect(members.map((member) => [member.clientId, member.metas[0].name]).sort()).toEqual([
      ['alice', 'Alice'],
      ['bob', 'Bob'],
    ]);
    await bobsLobby.updatePresence({ name: 'Bobby' });
    await membersWhen(lobby, (list) => list.some((member) => member.metas[0].name === 'Bobby'));
    await bobsLobby.leave();
    await membersWhen(lobby, (list) => list.length === 1);

    expect(Object.keys(await lobby.listPresence())).toEqual(['alice']);
    expect(await alice.request('echo', { n: 1, bytes: new Uint8Array([1, 2, 3]) })).toEqual({ n: 1, bytes: new Uint8Array([1, 2, 3]) });
  });

  it('delivers published bytes as the same bytes to MessagePack members, and as {"$bytes"} to JSON members', async () => {
    const alice = clientOf('alice');
    const bob = clientOf('bob');
    const carol = clientOf('carol', { encoding: 'json' });
    await Promise.all([alice.connect(), bob.connect(), carol.connect()]);
    const bytes = new Uint8Array(Array.from({ length: 300 }, (_, i) => i % 256));
    const channels = [alice, bob, carol].map((client) => client.channel<{ image: unknown; caption: string }>('room:pics'));
    const received = channels.map((channel) => collectMessages(channel));
    await Promise.all(channels.map((channel) => channel.join()));

    await channels[0].publish({ image: bytes, caption: 'bytes' });
    await Promise.all(received.map(({ count }) => count(1)));

    const [forAlice, forBob, forCarol] = received.map(({ messages }) => messages[0].payload);
    expect(forBob.image).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(forBob.image as Uint8Array).equals(Buffer.from(bytes))).toBe(true);
    expect(Buffer.from(forAlice.image as Uint8Array).equals(Buffer.from(bytes))).toBe(true);
    expect(forCarol).toEqual({ image: { $bytes: Buffer.from(bytes).toString('base64') }, caption: 'bytes' });
  });

  it('translates a broadcast into MessagePack once, whatever the number of members', async () => {
    const members = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((user) => raw(user)));
    await Promise.all(members.map((member) => member.request('channel:join', { channel: 'room:many' })));
    const translate = jest.spyOn(msgpackCodec, 'encodeMsgpackFromJson');
    try {
      await rt.get(ChannelService).publish('room:many', 'to everyone');
      await Promise.all(members.map((member) => member.next((frame) => frame.event === 'channel:message')));

      expect(translate).toHaveBeenCalledTimes(1);
    } finally {
      translate.mockRestore();
    }
  });

  it('sends what server code publishes in bytes form as bin', async () => {
    const alice = clientOf('alice');
    await alice.connect();
    const news = alice.channel<unknown>('room:news');
    const { messages, count } = collectMessages(news);
    await news.join();

    await rt.get(ChannelService).publish('room:news', { blob: { $bytes: 'AAEC' } });
    await count(1);

    expect(messages[0].payload).toEqual({ blob: new Uint8Array([0, 1, 2]) });
  });

  it('resumes after a dropped connection, and sends what was queued meanwhile', async () => {
    const network = new GatedTransport();
    const alice = clientOf('alice', { transport: network.transport });
    const bob = clientOf('bob');
    await Promise.all([alice.connect(), bob.connect()]);
    const aliceRoom = alice.channel<string>('room:resume');
    const bobRoom = bob.channel<string>('room:resume');
    const aliceGot = collectMessages(aliceRoom);
    const bobGot = collectMessages(bobRoom);
    await Promise.all([aliceRoom.join(), bobRoom.join()]);
    await bobRoom.publish('before');
    await aliceGot.count(1);

    const resumed = new Promise((resolve) => aliceRoom.on('joined', (joined) => joined.rejoined && resolve(joined)));
    const released = rt.released(alice.welcome!.connectionId);
    network.cut();
    await released;
    await bobRoom.publish('missed');
    const queued = aliceRoom.publish('queued while away');
    network.allow();

    expect(await resumed).toEqual({ channel: 'room:resume', rejoined: true, resumed: true });
    await queued;
    await aliceGot.count(3);
    await bobGot.count(3);
    expect(aliceGot.messages.map((message) => message.payload)).toEqual(['before', 'missed', 'queued while away']);
  });

  describe('bad binary input', () => {
    const cases: Array<[string, Buffer]> = [
      ['bytes that are not MessagePack', Buffer.from([0xc1, 0xc1])],
      ['a truncated frame', Buffer.from(encodeMsgpack({ event: 'channel:join', data: { channel: 'room:x' } })).subarray(0, 10)],
      ['a frame that is not a map', Buffer.from(encodeMsgpack(['channel:join']))],
      ['a map without an event', Buffer.from(encodeMsgpack({ data: 1 }))],
      ['an event that is not a string', Buffer.from(encodeMsgpack({ event: 7 }))],
      ['nesting past limits.maxDepth', Buffer.from([0x81, 0xa4, ...Buffer.from('data'), ...new Array(40).fill(0x91), 0x90])],
      ['a map that claims more entries than the frame holds', Buffer.from([0xdf, 0x7f, 0xff, 0xff, 0xff, 0xa1, 0x61])],
      ['an extension type', Buffer.from([0xd4, 0x05, 0x00])],
    ];

    it.each(cases)('answers %s with bad_frame and stays usable', async (_name, bytes) => {
      const alice = await raw('alice');
      alice.socket.send(bytes);

      expect((await alice.next((frame) => frame.event === 'error')).data).toMatchObject({ code: 'bad_frame' });
      expect(await alice.request('channel:join', { channel: 'room:after' })).toMatchObject({ ok: true });
      expect(alice.socket.readyState).toBe(WebSocket.OPEN);
    });

    it('still refuses binary frames on a JSON connection', async () => {
      const text = await rt.connect({ user: 'bob' });
      text.sendBinary(Buffer.from(encodeMsgpack({ event: 'channel:join', data: { channel: 'room:x' } })));

      expect((await text.nextEvent('error')).data).toMatchObject({ code: 'bad_frame', message: expect.stringContaining('realtime.v1.msgpack') });
    });
  });
});
