import type { WebSocket } from 'ws';
import { CleanupService } from '../../upkeep/cleanup/cleanup.service';
import { ChannelRules } from '../channel/channel.rules';
import { ChannelService } from '../channel/channel.service';
import { ConnectionLifecycle } from '../connection/connection.lifecycle';
import { ConnectionService } from '../connection/connection.service';
import { ConnectionStateService } from '../connection/connection-state.service';
import { PresenceService } from '../presence/presence.service';
import { createRealtimeTestBed, FakeSocket, RealtimeTestBed, refusal } from '../../testing/internal/unit-fakes';
import { CredentialsService } from './credentials.service';

describe('CredentialsService', () => {
  let bed: RealtimeTestBed;
  let credentials: CredentialsService;
  let lifecycle: ConnectionLifecycle;
  const T0 = Date.UTC(2025, 0, 1);

  beforeEach(async () => {
    jest.useFakeTimers({ now: T0 });
    bed = await createRealtimeTestBed(
      { logLevels: [], reauthenticate: (token) => (token.startsWith('alice:') ? { clientId: 'alice', expiresAt: Number(token.slice(6)) } : null) },
      [ChannelRules, PresenceService, ChannelService, ConnectionStateService, CleanupService, ConnectionLifecycle, ConnectionService, CredentialsService],
    );
    credentials = bed.moduleRef.get(CredentialsService);
    lifecycle = bed.moduleRef.get(ConnectionLifecycle);
  });

  afterEach(() => {
    credentials.onModuleDestroy();
    jest.useRealTimers();
  });

  function open(expiresAt?: number) {
    const socket = new FakeSocket();
    const connection = lifecycle.open(socket as unknown as WebSocket, { clientId: 'alice', expiresAt });
    return { connection, socket };
  }

  it('closes with 1008 at the expiry, not before', () => {
    const { connection, socket } = open(T0 + 5000);
    credentials.watch(connection);

    jest.advanceTimersByTime(4999);
    expect(socket.close).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(socket.close).toHaveBeenCalledWith(1008, 'credentials expired');
  });

  it('waits in steps for an expiry beyond what one timer can hold', () => {
    const { connection, socket } = open(T0 + 40 * 24 * 3600 * 1000);
    credentials.watch(connection);

    jest.advanceTimersByTime(30 * 24 * 3600 * 1000);
    expect(socket.close).not.toHaveBeenCalled();
    jest.advanceTimersByTime(10 * 24 * 3600 * 1000);
    expect(socket.close).toHaveBeenCalledWith(1008, 'credentials expired');
  });

  it('moves the expiry on renewal', async () => {
    const { connection, socket } = open(T0 + 1000);
    credentials.watch(connection);

    expect(await credentials.renew(connection, `alice:${T0 + 9000}`)).toEqual({ expiresAt: T0 + 9000 });
    jest.advanceTimersByTime(8999);
    expect(socket.close).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(socket.close).toHaveBeenCalledWith(1008, 'credentials expired');
  });

  it('drops the timer when the socket closes', () => {
    const { connection, socket } = open(T0 + 1000);
    credentials.watch(connection);

    socket.emit('close', 1000, Buffer.alloc(0));
    jest.advanceTimersByTime(2000);

    expect(socket.close).not.toHaveBeenCalled();
  });

  it('refuses a renewal for another clientId with forbidden and one it cannot check with unauthorized', async () => {
    const { connection } = open(T0 + 1000);

    expect((await refusal(() => credentials.renew(connection, 'bob:1'))).code).toBe('unauthorized');
    expect(connection.expiresAt).toBe(T0 + 1000);
  });
});
