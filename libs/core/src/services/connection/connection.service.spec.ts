import type { WebSocket } from 'ws';
import { ChannelRules } from '../channel/channel.rules';
import { ChannelService } from '../channel/channel.service';
import { CleanupService } from '../../upkeep/cleanup/cleanup.service';
import { PresenceService } from '../presence/presence.service';
import { createRealtimeTestBed, FakeSocket, RealtimeTestBed } from '../../testing/internal/unit-fakes';
import { ConnectionLifecycle } from './connection.lifecycle';
import { ConnectionService } from './connection.service';
import { ConnectionStateService } from './connection-state.service';
import type { RealtimeConnection } from './realtime-connection';

const T0 = Date.UTC(2025, 0, 1);

describe('ConnectionService', () => {
  let bed: RealtimeTestBed;
  let connections: ConnectionService;
  let lifecycle: ConnectionLifecycle;
  let cleanup: CleanupService;

  beforeEach(async () => {
    jest.useFakeTimers({ now: T0 });
    bed = await createRealtimeTestBed({ logLevels: [] }, [
      ChannelRules,
      PresenceService,
      ChannelService,
      ConnectionStateService,
      CleanupService,
      ConnectionLifecycle,
      ConnectionService,
    ]);
    connections = bed.moduleRef.get(ConnectionService);
    lifecycle = bed.moduleRef.get(ConnectionLifecycle);
    cleanup = bed.moduleRef.get(CleanupService);
  });

  afterEach(() => {
    cleanup.onModuleDestroy();
    jest.useRealTimers();
  });

  function open(clientId: string): { connection: RealtimeConnection; socket: FakeSocket } {
    const socket = new FakeSocket();
    const connection = lifecycle.open(socket as unknown as WebSocket, { clientId, claims: { plan: 'pro' } });
    return { connection, socket };
  }

  it('describes a connection without exposing its socket', () => {
    const { connection } = open('alice');

    expect(connections.get(connection.id)).toEqual({
      id: connection.id,
      clientId: 'alice',
      claims: { plan: 'pro' },
      state: 'connected',
      connectedAt: T0,
      lastSeenAt: T0,
      ip: '',
      transport: 'h1',
    });
    expect(connections.get('nobody')).toBeUndefined();
  });

  it('lists the connections of a client and tells who is online', () => {
    const tab1 = open('alice').connection;
    const tab2 = open('alice').connection;
    open('bob');

    expect(connections.ofClient('alice').map((info) => info.id)).toEqual([tab1.id, tab2.id]);
    expect(connections.isOnline('alice')).toBe(true);
    expect(connections.isOnline('carol')).toBe(false);
    expect(connections.count()).toBe(3);
  });

  it('disconnects one connection with 4001', async () => {
    const { connection, socket } = open('alice');

    expect(connections.disconnect(connection.id)).toBe(true);
    await cleanup.drainAll();

    expect(socket.close).toHaveBeenCalledWith(4001, 'disconnected by the application');
    expect(connections.get(connection.id)).toBeUndefined();
    expect(connections.disconnect(connection.id)).toBe(false);
  });

  it('disconnects every connection of a client', async () => {
    const tabs = [open('alice').socket, open('alice').socket];
    const bob = open('bob').socket;

    expect(connections.disconnectClient('alice', 'banned')).toBe(2);
    await cleanup.drainAll();

    for (const socket of tabs) expect(socket.close).toHaveBeenCalledWith(4001, 'banned');
    expect(bob.close).not.toHaveBeenCalled();
    expect(connections.isOnline('alice')).toBe(false);
    expect(connections.disconnectClient('alice')).toBe(0);
  });

  it('closes with 1001 at shutdown, or 1012 once marked restarting', () => {
    expect(connections.closeCodeAtShutdown).toBe(1001);
    connections.markRestarting();
    expect(connections.closeCodeAtShutdown).toBe(1012);
  });
});
