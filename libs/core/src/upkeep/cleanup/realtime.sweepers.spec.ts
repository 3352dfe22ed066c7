import type { WebSocket } from 'ws';
import { ChannelRules } from '../../services/channel/channel.rules';
import { ChannelService } from '../../services/channel/channel.service';
import { ConnectionLifecycle } from '../../services/connection/connection.lifecycle';
import { ConnectionStateService } from '../../services/connection/connection-state.service';
import type { RealtimeConnection } from '../../services/connection/realtime-connection';
import { PresenceService } from '../../services/presence/presence.service';
import { createRealtimeTestBed, FakeSocket, RealtimeTestBed } from '../../testing/internal/unit-fakes';
import { CleanupService } from './cleanup.service';
import { RealtimeSweepers } from './realtime.sweepers';

const T0 = Date.UTC(2025, 0, 1);

describe('RealtimeSweepers', () => {
  let bed: RealtimeTestBed;
  let sweepers: RealtimeSweepers;
  let cleanup: CleanupService;
  let lifecycle: ConnectionLifecycle;
  let channels: ChannelService;
  let presence: PresenceService;

  beforeEach(async () => {
    jest.useFakeTimers({ now: T0 });
    bed = await createRealtimeTestBed(
      {
        heartbeat: { interval: 1000, timeout: 3000 },
        presence: { batchMs: 0 },
        channels: [{ pattern: 'room:*', presence: true }],
        logLevels: [],
      },
      [ChannelRules, PresenceService, ChannelService, ConnectionStateService, CleanupService, ConnectionLifecycle, RealtimeSweepers],
    );
    sweepers = bed.moduleRef.get(RealtimeSweepers);
    cleanup = bed.moduleRef.get(CleanupService);
    lifecycle = bed.moduleRef.get(ConnectionLifecycle);
    channels = bed.moduleRef.get(ChannelService);
    presence = bed.moduleRef.get(PresenceService);
  });

  afterEach(() => {
    cleanup.onModuleDestroy();
    jest.useRealTimers();
  });

  function open(clientId: string): { connection: RealtimeConnection; socket: FakeSocket } {
    const socket = new FakeSocket();
    const connection = lifecycle.open(socket as unknown as WebSocket, { clientId });
    return { connection, socket };
  }

  it('registers its three sweepers with the cleanup on init', async () => {
    const addSweeper = jest.spyOn(cleanup, 'addSweeper');

    sweepers.onModuleInit();

    expect(addSweeper.mock.calls.map(([sweeper]) => sweeper.name)).toEqual(['stale connections', 'empty channels', 'orphaned presence']);
  });

  describe('empty channels', () => {
    it('drops channels left without members or presence, and only those', async () => {
      const { connection } = open('alice');
      await channels.join(connection.id, 'chat');
      await channels.join(connection.id, 'lobby');
      await channels.leave(connection.id, 'chat');
      expect(await bed.engine.memberships.emptyChannels()).toEqual([{ channel: 'chat', since: T0 }]);
      sweepers.onModuleInit();

      await cleanup.runOnce();

      expect(await bed.engine.memberships.emptyChannels()).toEqual([]);
      expect(await bed.engine.memberships.dropChannel('chat')).toBe(false);
      expect(await channels.isMember('lobby', connection.id)).toBe(true);
    });

    it('finds one task per empty channel, keyed by the channel', async () => {
      const { connection } = open('alice');
      for (const channel of ['a', 'b']) {
        await channels.join(connection.id, channel);
        await channels.leave(connection.id, channel);
      }

      const tasks = await sweepers.emptyChannels().sweep(Date.now());

      expect(tasks.map((task) => task.key)).toEqual(['channel:a', 'channel:b']);
    });
  });

  describe('orphaned presence', () => {
    it('removes presence left behind by a connection that is no longer a member, with a leave to the others', async () => {
      const { connection: watcher, socket: watcherSocket } = open('watcher');
      const { connection: ghost } = open('ghost');
      await channels.join(watcher.id, 'room:1');
      await channels.join(ghost.id, 'room:1', { name: 'Ghost' });
      await bed.engine.memberships.leave('room:1', ghost.id);
      watcherSocket.send.mockClear();

      const tasks = await sweepers.orphanedPresence().sweep(Date.now());
      expect(tasks.map((task) => task.key)).toEqual([`presence:room:1:${ghost.id}`]);
      sweepers.onModuleInit();
      await cleanup.runOnce();

      expect(await presence.list('room:1')).toEqual({ watcher: { metas: [{ connectionId: watcher.id, onlineAt: T0 }] } });
      expect(watcherSocket.framesOf('presence:diff').map((frame) => frame.data)).toEqual([
        { channel: 'room:1', joins: {}, leaves: { ghost: { metas: [{ name: 'Ghost', connectionId: ghost.id, onlineAt: T0 }], last: true } }, updates: {} },
      ]);
      expect(await sweepers.orphanedPresence().sweep(Date.now())).toEqual([]);
    });

    it('finds nothing when every presence entry has its member', async () => {
      const { connection } = open('alice');
      await channels.join(connection.id, 'room:1');

      expect(await sweepers.orphanedPresence().sweep(Date.now())).toEqual([]);
    });
  });

  describe('stale connections', () => {
    it('releases a connection whose socket closed without telling', async () => {
      const { connection: watcher, socket: watcherSocket } = open('watcher');
      const { connection, socket } = open('alice');
      await channels.join(watcher.id, 'room:1');
      await channels.join(connection.id, 'room:1');
      socket.readyState = 3;
      watcherSocket.send.mockClear();
      sweepers.onModuleInit();

      await cleanup.runOnce();
      await cleanup.drainAll();

      expect(bed.registry.get(connection.id)).toBeUndefined();
      expect(connection.state).toBe('disconnected');
      expect(await channels.channelsOf(connection.id)).toEqual([]);
      expect(watcherSocket.framesOf('presence:diff').map((frame) => Object.keys(frame.data.leaves))).toEqual([['alice']]);
      expect(bed.registry.get(watcher.id)).toBe(watcher);
    });

    it('closes with 4000 a connection silent for longer than timeout + interval', async () => {
      const { connection, socket } = open('alice');
      const { connection: lively } = open('bob');
      sweepers.onModuleInit();

      jest.setSystemTime(T0 + 4000);
      lively.touch();
      expect(await sweepers.staleConnections().sweep(Date.now())).toEqual([]);

      jest.setSystemTime(T0 + 4001);
      await cleanup.runOnce();
      await cleanup.drainAll();

      expect(socket.close).toHaveBeenCalledWith(4000, 'heartbeat timeout');
      expect(bed.registry.get(connection.id)).toBeUndefined();
      expect(bed.registry.get(lively.id)).toBe(lively);
      expect(cleanup.metrics()).toEqual({ processed: 2, failed: 0, retried: 0, pending: 0 });
    });
  });
});
