import { WebSocketServer, WebSocket as ServerSocket } from 'ws';
import type { AddressInfo } from 'net';
import { ConnectionService } from '@nest-realtime/core';
import type { PresenceState } from '@nest-realtime/protocol';
import { PresenceMember, RealtimeClient, RealtimeClientOptions, RetryScheduled, Transport, wsTransport } from '@nest-realtime/client/node';
import { deferred, membersWhen, reached, rejoined } from './support/client-waits';
import { DemoServer } from './support/demo-server';
import { TestClient } from './support/test-client';

interface DemoSchema {
  requests: { 'chat:shout': { data: { room: string; text: string }; result: { delivered: number } } };
  direct: { text: string };
}

type Meta = { name: string; status: 'online' | 'busy' };

/** Fast retries for a test; the schedule itself is covered by the unit tests. */
const QUICK = { baseDelay: 20, maxDelay: 200 };

describe('RealtimeClient against the demo server', () => {
  let server: DemoServer;
  let clients: RealtimeClient<any>[];

  beforeEach(async () => {
    server = await DemoServer.start();
    clients = [];
  });

  afterEach(async () => {
    clients.forEach((client) => client.close());
    await server.stop();
  });

  function clientFor(user: string, options: Partial<RealtimeClientOptions> = {}): RealtimeClient<DemoSchema> {
    const client = new RealtimeClient<DemoSchema>({
      url: server.ws,
      token: () => server.tokenFor(user),
      transport: wsTransport(),
      reconnect: QUICK,
      ...options,
    });
    clients.push(client);
    return client;
  }

  async function presenceOf(room: string): Promise<PresenceState> {
    return (await fetch(`${server.http}/rooms/${room}/presence`)).json() as Promise<PresenceState>;
  }

  it('connects with a token fetched from the demo and becomes that user', async () => {
    const alice = clientFor('alice');
    const welcome = await alice.connect();
    expect(welcome).toEqual(expect.objectContaining({ clientId: 'alice', heartbeat: { interval: 25_000, timeout: 60_000 } }));
    expect(alice.state).toBe('connected');
  });

  it('after a server restart, is back in its rooms with its presence, and the others see it once', async () => {
    const alice = clientFor('alice');
    const bob = clientFor('bob');
    await Promise.all([alice.connect(), bob.connect()]);
    const lobby = alice.channel<string, Meta>('room:lobby');
    const kitchen = alice.channel<string, Meta>('room:kitchen');
    await lobby.join({ name: 'Alice', status: 'online' });
    await kitchen.join({ name: 'Alice', status: 'online' });
    await lobby.updatePresence({ name: 'Alice', status: 'busy' });
    const bobsLobby = bob.channel<string, Meta>('room:lobby');
    await bobsLobby.join({ name: 'Bob', status: 'online' });
    await membersWhen(bobsLobby, (members) => members.length === 2);
    const arrivals: string[] = [];
    const syncsSeenByBob: PresenceMember<Meta>[][] = [];
    bobsLobby.presence.onJoin(({ clientId, first }) => first && arrivals.push(clientId));
    bobsLobby.presence.onSync((members) => syncsSeenByBob.push(members));
    const back = [rejoined(lobby), rejoined(kitchen), rejoined(bobsLobby)];

    await server.restart();
    await Promise.all(back);

    const aliceNow = alice.welcome!.connectionId;
    const bobNow = bob.welcome!.connectionId;
    const lobbyNow = await presenceOf('lobby');
    expect(Object.keys(lobbyNow).sort()).toEqual(['alice', 'bob']);
    expect(lobbyNow.alice.metas).toEqual([expect.objectContaining({ connectionId: aliceNow, name: 'Alice', status: 'busy' })]);
    expect(lobbyNow.bob.metas).toEqual([expect.objectContaining({ connectionId: bobNow, status: 'online' })]);
    expect((await presenceOf('kitchen')).alice.metas).toEqual([expect.objectContaining({ connectionId: aliceNow, status: 'online' })]);

    const seenByBob = await membersWhen(bobsLobby, (members) => members.length === 2 && members.every((m) => m.metas.length === 1 && [aliceNow, bobNow].includes(m.metas[0].connectionId)));
    expect(seenByBob.map(({ clientId, metas }) => [clientId, metas.map((meta) => meta.status)]).sort()).toEqual([['alice', ['busy']], ['bob', ['online']]]);
    // Whichever of them came back first, bob never saw alice twice (a ghost of her old connection).
    expect(syncsSeenByBob.flat().filter((member) => member.metas.length !== 1)).toEqual([]);
    expect(arrivals.filter((clientId) => clientId === 'alice').length).toBeLessThanOrEqual(1);
    const seenByAlice = await membersWhen(lobby, (members) => members.length === 2 && members.every((m) => m.metas.length === 1 && [aliceNow, bobNow].includes(m.metas[0].connectionId)));
    expect(seenByAlice.map((member) => member.clientId).sort()).toEqual(['alice', 'bob']);
  });

  it('delivers frames queued while the server was down once, in order, after the reconnect', async () => {
    let gate = deferred();
    gate.resolve();
    const bob = clientFor('bob', {
      token: async () => {
        await gate.promise;
        return server.tokenFor('bob');
      },
    });
    await bob.connect();
    const room = bob.channel<number | string>('room:lobby');
    await room.join({ name: 'Bob' });

    gate = deferred();
    await server.stop();
    await reached(bob, 'reconnecting');
    const sent = [room.publish(1), room.publish(2), bob.request('chat:shout', { room: 'lobby', text: 'three' }), room.publish(4), room.publish(5)];

    await server.start();
    // The observer is in the room before bob may come back (his token waits for the gate).
    const observer = await TestClient.connect(`${server.ws}?token=${await server.tokenFor('olga')}`);
    expect((await observer.request('channel:join', { channel: 'room:lobby' })).ok).toBe(true);
    const mark = observer.mark();
    gate.resolve();
    await Promise.all(sent);
    await room.publish('after');
    await observer.eventFrom(mark, 'channel:message', (data) => data.payload === 'after');

    const messages = observer.eventsSince('channel:message', mark).map((frame) => frame.data);
    expect(messages.every((message) => message.from === 'bob')).toBe(true);
    // The server runs application handlers (chat:shout) beside protocol frames, so only the publishes keep their order.
    expect(messages.map((message) => message.payload).filter((payload) => payload !== 'THREE')).toEqual([1, 2, 4, 5, 'after']);
    expect(messages.filter((message) => message.payload === 'THREE')).toHaveLength(1);
    await observer.closeAndWait();
  });

  it('reconnects after a restart announced with 1012, its first delay drawn from restartJitter', async () => {
    const alice = clientFor('alice', { reconnect: { ...QUICK, restartJitter: 300, random: () => 0.5 } });
    await alice.connect();
    const retries: RetryScheduled[] = [];
    alice.on('retry', (retry) => retries.push(retry));
    const first = alice.welcome!.connectionId;

    await server.restart({ restart: true });
    await reached(alice, 'connected');

    expect(retries[0]).toEqual(expect.objectContaining({ attempt: 1, delay: 150, close: expect.objectContaining({ code: 1012 }) }));
    expect(alice.welcome!.connectionId).not.toBe(first);
  });

  it('does not reconnect after the upgrade is refused with 401', async () => {
    let attempts = 0;
    const mallory = clientFor('mallory', {
      token: () => {
        attempts++;
        return 'not-a-jwt';
      },
    });

    await expect(mallory.connect()).rejects.toMatchObject({ code: 'unauthorized', message: expect.stringContaining('HTTP 401') });
    expect(mallory.state).toBe('disconnected');
    expect(attempts).toBe(1);
  });

  it('does not reconnect after the application disconnects it (4001), and comes back on connect()', async () => {
    const alice = clientFor('alice');
    await alice.connect();
    const room = alice.channel('room:lobby');
    await room.join({ name: 'Alice' });
    const stopped = new Promise<string | undefined>((resolve) => alice.on('state', (change) => change.state === 'disconnected' && resolve(change.error?.code)));

    server.get(ConnectionService).disconnect(alice.welcome!.connectionId);

    expect(await stopped).toBe('kicked');
    expect(Object.keys(await presenceOf('lobby'))).toEqual([]);
    const back = rejoined(room);
    await alice.connect();
    await back;
    expect(Object.keys(await presenceOf('lobby'))).toEqual(['alice']);
  });

  it('sends direct messages and application requests, typed by the schema', async () => {
    const alice = clientFor('alice');
    const bob = clientFor('bob');
    await Promise.all([alice.connect(), bob.connect()]);
    await alice.channel('room:lobby').join();
    const bobsLobby = bob.channel<string>('room:lobby');
    await bobsLobby.join();
    const direct = new Promise((resolve) => bob.on('direct', resolve));
    const shout = new Promise((resolve) => bobsLobby.onMessage(resolve));

    await expect(alice.direct('bob', { text: 'psst' })).resolves.toEqual({ to: 'bob', delivered: 1 });
    await expect(alice.request('chat:shout', { room: 'lobby', text: 'hello' })).resolves.toEqual({ delivered: 2 });

    expect(await direct).toEqual(expect.objectContaining({ from: 'alice', payload: { text: 'psst' } }));
    expect(await shout).toEqual(expect.objectContaining({ from: 'alice', payload: 'HELLO' }));
    await expect(alice.direct('nobody', { text: '?' })).rejects.toMatchObject({ code: 'not_found' });
    await expect(alice.request('chat:shout', { room: 'not a room', text: '' })).rejects.toMatchObject({ code: 'invalid' });
  });

  describe('heartbeat', () => {
    /** A transport that hides ping frames, as browsers do, and counts the pongs it receives. */
    function browserLike(pongs: () => void): Transport {
      const ws = wsTransport();
      return (url, protocols, handlers) => {
        const socket = ws(url, protocols, {
          ...handlers,
          ping: () => undefined,
          message: (text) => {
            if (typeof text === 'string' && text.includes('"connection:pong"')) pongs();
            handlers.message(text);
          },
        });
        return { ...socket, seesPings: false, send: socket.send, close: socket.close, abort: socket.abort };
      };
    }

    it('sends connection:ping where pings are hidden, and the connection stays up', async () => {
      await server.stop();
      server = await DemoServer.start({ HEARTBEAT_INTERVAL_MS: '100', HEARTBEAT_TIMEOUT_MS: '300' });
      const fivePongs = deferred();
      let pongs = 0;
      const alice = clientFor('alice', { transport: browserLike(() => ++pongs === 5 && fivePongs.resolve()) });
      const { connectionId } = await alice.connect();

      await fivePongs.promise;

      expect(alice.state).toBe('connected');
      expect(alice.welcome!.connectionId).toBe(connectionId);
    });

    it('closes a connection whose server went silent and reconnects', async () => {
      const silent = new WebSocketServer({ host: '127.0.0.1', port: 0 });
      await new Promise((resolve) => silent.once('listening', resolve));
      const sockets: ServerSocket[] = [];
      silent.on('connection', (socket) => {
        sockets.push(socket);
        socket.send(JSON.stringify({ event: 'connection:welcome', data: { connectionId: `s${sockets.length}`, clientId: 'x', heartbeat: { interval: 50, timeout: 150 } } }));
      });
      const firstClosed = new Promise<void>((resolve) => silent.once('connection', (socket) => socket.once('close', () => resolve())));
      const client = new RealtimeClient({ url: `ws://127.0.0.1:${(silent.address() as AddressInfo).port}/`, transport: wsTransport(), reconnect: QUICK });
      clients.push(client);
      const second = new Promise<void>((resolve) => client.on('connected', (welcome) => welcome.connectionId === 's2' && resolve()));
      const lost: number[] = [];
      client.on('state', (change) => change.state === 'reconnecting' && lost.push(change.close!.code));
      try {
        await client.connect();
        await firstClosed;
        await second;
        expect(lost).toEqual([4000]);
      } finally {
        client.close();
        sockets.forEach((socket) => socket.terminate());
        await new Promise((resolve) => silent.close(resolve));
      }
    });
  });
});
