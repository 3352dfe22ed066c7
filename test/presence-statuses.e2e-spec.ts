import { Injectable } from '@nestjs/common';
import { filter, firstValueFrom, ReplaySubject } from 'rxjs';
import { OnPresence, PresenceService, RealtimeException } from '@nest-realtime/core';
import type { PresenceEvent, RealtimeModuleOptions } from '@nest-realtime/core';
import { PresenceStatus, RealtimeClient, wsTransport } from '@nest-realtime/client/node';
import { RedisEngine } from '@nest-realtime/redis';
import { userFromQuery } from './support/auth';
import { RealtimeTestApp } from './support/realtime-app';
import { RedisServer } from './support/redis-server';
import { TestClient } from './support/test-client';

const AFTER = 300;
const OPTIONS: RealtimeModuleOptions = {
  authenticate: userFromQuery,
  channels: [
    {
      pattern: 'room:*',
      presence: true,
      statuses: { statuses: ['online', 'away', 'busy'], settable: ['online', 'busy'], timeouts: [{ from: ['online'], to: 'away', after: AFTER }] },
    },
  ],
  presence: { batchMs: 0 },
};

/** Every presence status change the application's hooks see. */
@Injectable()
class StatusHooks {
  readonly changes = new ReplaySubject<PresenceEvent>();
  readonly states = new ReplaySubject<PresenceEvent>();

  @OnPresence('status', 'room:*')
  status(event: PresenceEvent): void {
    this.changes.next(event);
  }

  @OnPresence('state')
  state(event: PresenceEvent): void {
    this.states.next(event);
  }
}

/** Whether a diff tells a status change of that connection to that status. */
const movedTo = (connectionId: string, to: string) => (data: { statuses?: Record<string, { to: string }> }) => data.statuses?.[connectionId]?.to === to;

describe('presence statuses with timeouts', () => {
  let rt: RealtimeTestApp;

  beforeEach(async () => {
    rt = await RealtimeTestApp.start(OPTIONS, { providers: [StatusHooks] });
  });

  afterEach(() => rt.close());

  async function member(user: string, channel = 'room:lobby', meta: Record<string, unknown> = {}): Promise<TestClient> {
    const client = await rt.connect({ user });
    const reply = await client.request('channel:join', { channel, meta });
    expect(reply.ok).toBe(true);
    return client;
  }

  /** A member that watches: busy, which no timeout moves. */
  const watcher = (user = 'bob', channel = 'room:lobby') => member(user, channel, { status: 'busy' });

  it('shows another member going away after its silence, and online again after its next frame', async () => {
    const bob = await watcher();
    const alice = await member('alice', 'room:lobby', { name: 'Alice' });
    const silentSince = Date.now();

    const away = await bob.nextEvent('presence:diff', movedTo(alice.connectionId, 'away'));

    expect(Date.now() - silentSince).toBeGreaterThanOrEqual(AFTER - 50);
    expect(away.data.statuses).toEqual({ [alice.connectionId]: { clientId: 'alice', from: 'online', to: 'away', reason: 'timeout' } });
    expect(away.data.updates.alice.metas).toEqual([{ name: 'Alice', status: 'away', connectionId: alice.connectionId, onlineAt: expect.any(Number) }]);

    const back = bob.nextEvent('presence:diff', movedTo(alice.connectionId, 'online'));
    await alice.request('presence:list', { channel: 'room:lobby' });

    expect((await back).data.statuses).toEqual({ [alice.connectionId]: { clientId: 'alice', from: 'away', to: 'online', reason: 'activity' } });
    expect(await rt.get(PresenceService).status('room:lobby', alice.connectionId)).toBe('online');
  });

  it('does not count connection:ping as activity', async () => {
    const bob = await watcher();
    const alice = await member('alice');
    const away = bob.nextEvent('presence:diff', movedTo(alice.connectionId, 'away'));
    let pings = 0;
    const pinging = setInterval(() => {
      pings++;
      alice.send({ event: 'connection:ping', data: { t: pings } });
    }, AFTER / 6);

    try {
      await away;
      const mark = bob.mark();
      await alice.roundTrip();
      await bob.roundTrip();

      expect(pings).toBeGreaterThanOrEqual(3);
      expect(bob.eventsSince('presence:diff', mark)).toEqual([]);
    } finally {
      clearInterval(pinging);
    }
  });

  it('keeps a status the client set past the timeout', async () => {
    const bob = await watcher();
    const alice = await member('alice');
    const reply = await alice.request('presence:update', { channel: 'room:lobby', status: 'busy' });
    expect(reply).toEqual({ ok: true, result: { channel: 'room:lobby', meta: { status: 'busy', connectionId: alice.connectionId, onlineAt: expect.any(Number) } } });
    // Carol joins after alice's last frame: once she is away, alice has been silent for longer.
    const carol = await member('carol');

    await bob.nextEvent('presence:diff', movedTo(carol.connectionId, 'away'));

    const aliceChanges = bob.eventsSince('presence:diff').filter((frame) => frame.data.statuses?.[alice.connectionId]);
    expect(aliceChanges.map((frame) => frame.data.statuses[alice.connectionId])).toEqual([{ clientId: 'alice', from: 'online', to: 'busy', reason: 'client' }]);
    expect(await rt.get(PresenceService).status('room:lobby', alice.connectionId)).toBe('busy');
  });

  it('keeps one connection busy in one room and online, then away, in another', async () => {
    const bob = await watcher('bob', 'room:1');
    expect((await bob.request('channel:join', { channel: 'room:2', meta: { status: 'busy' } })).ok).toBe(true);
    const alice = await member('alice', 'room:1');
    expect((await alice.request('channel:join', { channel: 'room:2' })).ok).toBe(true);
    expect((await alice.request('presence:update', { channel: 'room:1', status: 'busy' })).ok).toBe(true);

    const away = await bob.nextEvent('presence:diff', movedTo(alice.connectionId, 'away'));

    expect(away.data.channel).toBe('room:2');
    const presence = rt.get(PresenceService);
    expect(await presence.status('room:1', alice.connectionId)).toBe('busy');
    expect(await presence.status('room:2', alice.connectionId)).toBe('away');
    const [room1, room2] = [await bob.request('presence:list', { channel: 'room:1' }), await bob.request('presence:list', { channel: 'room:2' })];
    expect(room1.result.alice.metas[0].status).toBe('busy');
    expect(room2.result.alice.metas[0].status).toBe('away');
  });

  it('refuses a status the client may not set, or one the channel does not declare, with invalid, changing nothing', async () => {
    const bob = await watcher();
    const alice = await member('alice');
    const mark = bob.mark();

    const notSettable = await alice.request('presence:update', { channel: 'room:lobby', status: 'away' });
    const undeclared = await alice.request('presence:update', { channel: 'room:lobby', meta: { status: 'gone' } });
    await bob.roundTrip();

    expect(notSettable).toEqual({
      ok: false,
      error: {
        code: 'invalid',
        message: 'A client may not set the status "away" in "room:lobby": it may set "online", "busy".',
        details: [{ field: 'status', message: 'is not a status clients may set' }],
      },
    });
    expect(undeclared.error).toEqual({
      code: 'invalid',
      message: '"gone" is not a presence status of "room:lobby": use one of "online", "away", "busy".',
      details: [{ field: 'meta.status', message: 'must be one of online, away, busy' }],
    });
    expect(bob.eventsSince('presence:diff', mark)).toEqual([]);
    expect(await rt.get(PresenceService).status('room:lobby', alice.connectionId)).toBe('online');
  });

  it('runs @OnPresence(\'status\') hooks, and @OnPresence(\'state\') ones, with from, to and reason', async () => {
    const hooks = rt.get(StatusHooks);
    const alice = await member('alice');
    const awayOf = (stream: ReplaySubject<PresenceEvent>) =>
      firstValueFrom(stream.pipe(filter((event) => event.connectionId === alice.connectionId && event.to === 'away')));

    const [seen, seenAsState] = await Promise.all([awayOf(hooks.changes), awayOf(hooks.states)]);

    expect(seen).toEqual(
      expect.objectContaining({ type: 'status', channel: 'room:lobby', clientId: 'alice', from: 'online', to: 'away', reason: 'timeout' }),
    );
    expect(seen.meta).toEqual(expect.objectContaining({ status: 'away' }));
    expect(seenAsState).toBe(seen);
  });

  it('gives the client SDK each change on the channel\'s presence, and sets the status from it', async () => {
    const clients = ['alice', 'bob'].map((user) => new RealtimeClient({ url: rt.urlWith({ user }), transport: wsTransport() }));
    try {
      const [alice, bob] = clients;
      await Promise.all(clients.map((client) => client.connect()));
      const bobRoom = bob.channel('room:sdk');
      const aliceRoom = alice.channel('room:sdk');
      await bobRoom.join({ status: 'busy' });
      const changes: PresenceStatus[] = [];
      bobRoom.presence.onStatus((change) => changes.push(change));
      const statusOf = (to: string) =>
        new Promise<void>((resolve) => {
          const off = bobRoom.presence.onStatus((change) => {
            if (change.clientId !== 'alice' || change.to !== to) return;
            off();
            resolve();
          });
        });

      const away = statusOf('away');
      await aliceRoom.join();
      await away;
      const busy = statusOf('busy');
      await aliceRoom.presence.setStatus('busy');
      await busy;

      expect(changes.filter((change) => change.clientId === 'alice').map(({ from, to, reason }) => ({ from, to, reason }))).toEqual([
        { from: 'online', to: 'away', reason: 'timeout' },
        { from: 'away', to: 'online', reason: 'activity' },
        { from: 'online', to: 'busy', reason: 'client' },
      ]);
      expect(bobRoom.presence.statusOf('alice')).toBe('busy');
    } finally {
      clients.forEach((client) => client.close());
    }
  });
});

describe('presence statuses on two nodes sharing a Redis', () => {
  let redis: RedisServer;
  let nodes: RealtimeTestApp[];

  beforeAll(async () => {
    redis = await RedisServer.start();
  });

  afterAll(() => redis.close());

  beforeEach(async () => {
    const node = (nodeId: string) =>
      RealtimeTestApp.start({ ...OPTIONS, engine: new RedisEngine({ url: redis.url, nodeId, keyPrefix: 'statuses-test:', logLevels: ['fatal'] }) });
    nodes = [await node('a'), await node('b')];
  });

  afterEach(() => Promise.all(nodes.map((node) => node.close())));

  it('moves a member on the node that holds its connection, and every node sees its status', async () => {
    const [a, b] = nodes;
    const bob = await b.connect({ user: 'bob' });
    expect((await bob.request('channel:join', { channel: 'room:cluster', meta: { status: 'busy' } })).ok).toBe(true);
    const alice = await a.connect({ user: 'alice' });
    expect((await alice.request('channel:join', { channel: 'room:cluster' })).ok).toBe(true);

    const away = await bob.nextEvent('presence:diff', movedTo(alice.connectionId, 'away'));

    expect(away.data.statuses[alice.connectionId]).toEqual({ clientId: 'alice', from: 'online', to: 'away', reason: 'timeout' });
    expect(await b.get(PresenceService).status('room:cluster', alice.connectionId)).toBe('away');

    const back = bob.nextEvent('presence:diff', movedTo(alice.connectionId, 'online'));
    alice.send({ event: 'presence:list', data: { channel: 'room:cluster' } });
    expect((await back).data.statuses[alice.connectionId].reason).toBe('activity');

    const elsewhere = await b.get(PresenceService).setStatus(alice.connectionId, 'room:cluster', 'busy').catch((error: RealtimeException) => error);
    expect(elsewhere).toEqual(expect.objectContaining({ code: 'not_found' }));
    const busy = bob.nextEvent('presence:diff', movedTo(alice.connectionId, 'busy'));
    await a.get(PresenceService).setStatus(alice.connectionId, 'room:cluster', 'busy');
    expect((await busy).data.statuses[alice.connectionId]).toEqual({ clientId: 'alice', from: 'online', to: 'busy', reason: 'server' });
    expect(await b.get(PresenceService).status('room:cluster', alice.connectionId)).toBe('busy');
  });
});
