import type { WebSocket } from 'ws';
import { ChannelRules } from '../channel/channel.rules';
import { ChannelService } from '../channel/channel.service';
import { CleanupService } from '../../upkeep/cleanup/cleanup.service';
import { RealtimeSweepers } from '../../upkeep/cleanup/realtime.sweepers';
import type { ConnectionEvent } from '../../hooks/realtime-events';
import { PresenceService } from '../presence/presence.service';
import { createRealtimeTestBed, FakeSocket, RealtimeTestBed } from '../../testing/internal/unit-fakes';
import { ConnectionLifecycle } from './connection.lifecycle';
import { ConnectionStateService } from './connection-state.service';
import type { RealtimeConnection } from './realtime-connection';

const T0 = Date.UTC(2025, 0, 1);

describe('ConnectionLifecycle', () => {
  let bed: RealtimeTestBed;
  let lifecycle: ConnectionLifecycle;
  let channels: ChannelService;
  let cleanup: CleanupService;
  let events: ConnectionEvent[];

  beforeEach(async () => {
    jest.useFakeTimers({ now: T0 });
    bed = await createRealtimeTestBed(
      { heartbeat: { interval: 1000, timeout: 3000 }, presence: { batchMs: 0 }, channels: [{ pattern: 'room:*', presence: true }], logLevels: [] },
      [ChannelRules, PresenceService, ChannelService, ConnectionStateService, CleanupService, ConnectionLifecycle, RealtimeSweepers],
    );
    lifecycle = bed.moduleRef.get(ConnectionLifecycle);
    channels = bed.moduleRef.get(ChannelService);
    cleanup = bed.moduleRef.get(CleanupService);
    events = [];
    lifecycle.connection$.subscribe((event) => events.push(event));
  });

  afterEach(() => {
    cleanup.onModuleDestroy();
    jest.useRealTimers();
  });

  function open(clientId?: string): { connection: RealtimeConnection; socket: FakeSocket } {
    const socket = new FakeSocket();
    const connection = lifecycle.open(socket as unknown as WebSocket, clientId ? { clientId, claims: { role: 'user' } } : null);
    return { connection, socket };
  }

  /** The socket closes from the peer's side, as `ws` reports it. */
  function peerCloses(socket: FakeSocket, code = 1000): void {
    socket.readyState = 3;
    socket.emit('close', code, Buffer.alloc(0));
  }

  it('welcomes a connection, then announces its initial state', () => {
    const { connection, socket } = open('alice');

    expect(socket.frames()).toEqual([
      {
        event: 'connection:welcome',
        data: { connectionId: connection.id, clientId: 'alice', heartbeat: { interval: 1000, timeout: 3000 }, resume: { token: expect.any(String), ttl: 120_000 } },
      },
      { event: 'connection:state', data: { state: 'connected', previous: null, at: T0 } },
    ]);
    expect(bed.registry.get(connection.id)).toBe(connection);
    expect(events).toEqual([{ type: 'open', connectionId: connection.id, clientId: 'alice', claims: { role: 'user' }, at: T0 }]);
  });

  it('makes an anonymous connection its own client', () => {
    const { connection } = open();

    expect(connection.clientId).toBe(connection.id);
    expect(connection.claims).toEqual({});
  });

  it('counts a pong as a sign of life', () => {
    const { connection, socket } = open('alice');
    jest.setSystemTime(T0 + 500);
    socket.emit('pong');

    expect(connection.lastSeenAt).toBe(T0 + 500);
  });

  it('sends one leave without last when a tab closes while another stays, and one with last when the last tab closes', async () => {
    const { connection: watcher, socket: watcherSocket } = open('watcher');
    const tab1 = open('alice');
    const tab2 = open('alice');
    for (const { id } of [watcher, tab1.connection, tab2.connection]) await channels.join(id, 'room:1');
    watcherSocket.send.mockClear();

    peerCloses(tab1.socket);
    await cleanup.drainAll();
    peerCloses(tab2.socket);
    await cleanup.drainAll();

    expect(watcherSocket.framesOf('presence:diff').map((frame) => frame.data.leaves)).toEqual([
      { alice: { metas: [{ connectionId: tab1.connection.id, onlineAt: T0 }] } },
      { alice: { metas: [{ connectionId: tab2.connection.id, onlineAt: T0 }], last: true } },
    ]);
  });

  it('releases a closed connection: channels left, groups of its client dropped with its last connection, state terminal', async () => {
    const tab1 = open('alice');
    const tab2 = open('alice');
    await channels.join(tab1.connection.id, 'chat');
    await bed.engine.groups.add('admins', 'alice');

    peerCloses(tab1.socket, 1001);
    await cleanup.drainAll();
    expect(await bed.engine.groups.groupsOf('alice')).toEqual(['admins']);
    expect(await channels.channelsOf(tab1.connection.id)).toEqual([]);
    expect(tab1.connection.state).toBe('disconnected');
    expect(tab1.connection.stateHistory.at(-1)).toMatchObject({ from: 'connected', to: 'disconnected', reason: 'closed 1001' });

    peerCloses(tab2.socket);
    await cleanup.drainAll();
    expect(await bed.engine.groups.groupsOf('alice')).toEqual([]);
    expect(bed.registry.size).toBe(0);
    expect(events.filter((event) => event.type === 'close').map((event) => [event.connectionId, event.code])).toEqual([
      [tab1.connection.id, 1001],
      [tab2.connection.id, 1000],
    ]);
  });

  it('closes with a code and releases at once, without waiting for the peer', async () => {
    const { connection, socket } = open('alice');

    lifecycle.close(connection, 4001, 'bye');
    await cleanup.drainAll();

    expect(socket.close).toHaveBeenCalledWith(4001, 'bye');
    expect(bed.registry.get(connection.id)).toBeUndefined();
    expect(events.map((event) => event.type)).toEqual(['open', 'close']);
  });

  it('releases a connection once even when its close is seen twice', async () => {
    const { connection, socket } = open('alice');

    lifecycle.close(connection, 4001);
    peerCloses(socket, 4001);
    await cleanup.drainAll();

    expect(events.filter((event) => event.type === 'close')).toHaveLength(1);
  });

  it('announces one close when the close and the stale sweep release a connection in the same batch', async () => {
    const { connection, socket } = open('alice');
    await channels.join(connection.id, 'room:1');
    bed.moduleRef.get(RealtimeSweepers).onModuleInit();

    peerCloses(socket, 1006);
    await cleanup.runOnce();
    await cleanup.drainAll();

    expect(events.filter((event) => event.type === 'close').map((event) => event.connectionId)).toEqual([connection.id]);
    expect(connection.stateHistory.filter((change) => change.to === 'disconnected')).toHaveLength(1);
  });
});
