import type { IncomingMessage } from 'http';
import { ChannelJoined, RealtimeClient, RealtimeError, Transport } from '@nest-realtime/client/node';
import type { AuthResult, RealtimeModuleOptions } from '@nest-realtime/core';
import { ChannelService, ConnectionService } from '@nest-realtime/core';
import { GatedTransport } from './support/gated-transport';
import { RealtimeTestApp } from './support/realtime-app';

/** Tokens are `<user>:<expiresAt>`, `<user>:never` for credentials that do not expire. */
function identityOf(token: string | null): AuthResult | null {
  const [user, expiry] = (token ?? '').split(':');
  if (!user || !expiry) return null;
  return expiry === 'never' ? { clientId: user } : { clientId: user, expiresAt: Number(expiry) };
}

function authenticate(request: IncomingMessage): AuthResult | null {
  return identityOf(new URL(request.url ?? '/', 'http://localhost').searchParams.get('token'));
}

/** Fast retries for a test; the schedule itself is covered by the unit tests. */
const QUICK = { baseDelay: 10, maxDelay: 10 };

describe('the client SDK and what server code does to its connection', () => {
  let rt: RealtimeTestApp | undefined;
  let clients: RealtimeClient[];

  beforeEach(() => {
    clients = [];
  });

  afterEach(async () => {
    clients.forEach((client) => client.close());
    await rt?.close();
    rt = undefined;
  });

  async function start(options: RealtimeModuleOptions = {}): Promise<RealtimeTestApp> {
    rt = await RealtimeTestApp.start({
      authenticate,
      reauthenticate: (token) => identityOf(token),
      channels: [{ pattern: 'room:*', presence: true }],
      presence: { batchMs: 0 },
      logLevels: [],
      ...options,
    });
    return rt;
  }

  function clientOf(token: string, transport: Transport): RealtimeClient {
    const client = new RealtimeClient({ url: rt!.url, token, transport, reconnect: QUICK });
    clients.push(client);
    return client;
  }

  /** The network of a client: it can cut the first connection, and records every frame the client writes. */
  function network(): { transport: Transport; sent: string[]; cut(): void; allow(): void } {
    const gated = new GatedTransport();
    const sent: string[] = [];
    const transport: Transport = (url, protocols, handlers) => {
      const socket = gated.transport(url, protocols, handlers);
      return {
        seesPings: socket.seesPings,
        send: (text) => {
          sent.push(text as string);
          socket.send(text);
        },
        close: (code, reason) => socket.close(code, reason),
        abort: () => socket.abort(),
      };
    };
    return { transport, sent, cut: () => gated.cut(), allow: () => gated.allow() };
  }

  it.each([
    ['resumes its session', {}, true],
    ['joins its channels afresh (resume off)', { resume: false as const }, undefined],
  ])(
    'a client kicked from a channel reports it, and when it reconnects and %s, is back in its other channel only',
    async (_how, options, resumed) => {
      const app = await start(options);
      const channels = app.get(ChannelService);
      const net = network();
      const alice = clientOf('alice:never', net.transport);
      await alice.connect();
      const kitchen = alice.channel('room:kitchen');
      const lobby = alice.channel('room:lobby');
      await kitchen.join({ name: 'Alice' });
      await lobby.join({ name: 'Alice' });
      const reported = new Promise((resolve) => kitchen.on('kicked', resolve));
      const left = new Promise((resolve) => kitchen.on('left', resolve));
      const reportedToClient = new Promise((resolve) => alice.on('channelKicked', resolve));

      expect(await channels.kick('room:kitchen', 'alice', 'spamming')).toBe(1);

      expect(await reported).toEqual({ channel: 'room:kitchen', reason: 'spamming' });
      expect(await left).toEqual({ channel: 'room:kitchen', kicked: { reason: 'spamming' } });
      expect(await reportedToClient).toEqual({ channel: 'room:kitchen', reason: 'spamming' });
      expect([kitchen.state, lobby.state]).toEqual(['left', 'joined']);
      expect(kitchen.presence.list()).toEqual([]);

      const lobbyBack = new Promise<ChannelJoined<object>>((resolve) => lobby.on('joined', (joined) => joined.rejoined && resolve(joined)));
      const released = app.released(alice.welcome!.connectionId);
      net.cut();
      await released;
      const sentBefore = net.sent.length;
      net.allow();

      expect((await lobbyBack).resumed).toBe(resumed);
      const now = alice.welcome!.connectionId;
      expect(await channels.channelsOf(now)).toEqual(['room:lobby']);
      expect(await channels.isMember('room:kitchen', now)).toBe(false);
      expect(net.sent.slice(sentBefore).filter((text) => text.includes('room:kitchen'))).toEqual([]);
      expect(kitchen.state).toBe('left');

      await kitchen.join({ name: 'Alice' });
      expect(await channels.isMember('room:kitchen', now)).toBe(true);
    },
  );

  it('renews its credentials with reauth, and reconnects with the renewed token', async () => {
    const app = await start();
    const connections = app.get(ConnectionService);
    const net = network();
    const alice = clientOf(`alice:${Date.now() + 60_000}`, net.transport);
    const first = (await alice.connect()).connectionId;
    expect(connections.get(first)?.expiresAt).toEqual(expect.any(Number));

    const refused = await alice.reauth('mallory:never').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(RealtimeError);
    expect(refused).toMatchObject({ code: 'forbidden' });
    await expect(alice.reauth('alice:never')).resolves.toEqual({ expiresAt: null });
    expect(connections.get(first)?.expiresAt).toBeUndefined();

    const back = new Promise<string>((resolve) => alice.once('connected', (welcome) => resolve(welcome.connectionId)));
    const released = app.released(first);
    net.cut();
    await released;
    net.allow();
    const second = await back;

    expect(second).not.toBe(first);
    expect(connections.get(second)).toEqual(expect.objectContaining({ clientId: 'alice', expiresAt: undefined }));
  });

  it("lists a channel's presence from the server", async () => {
    await start();
    const alice = clientOf('alice:never', network().transport);
    const bob = clientOf('bob:never', network().transport);
    await Promise.all([alice.connect(), bob.connect()]);
    const lobby = alice.channel<unknown, { name: string }>('room:lobby');
    await lobby.join({ name: 'Alice' });
    await bob.channel('room:lobby').join({ name: 'Bob' });

    const state = await lobby.listPresence();

    expect(Object.keys(state).sort()).toEqual(['alice', 'bob']);
    expect(state.alice.metas).toEqual([expect.objectContaining({ connectionId: alice.welcome!.connectionId, name: 'Alice' })]);
    expect(state.bob.metas).toEqual([expect.objectContaining({ connectionId: bob.welcome!.connectionId, name: 'Bob' })]);
  });
});
