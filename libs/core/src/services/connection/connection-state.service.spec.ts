import { isObservable } from 'rxjs';
import type { ConnectionStateChange } from '../../hooks/realtime-events';
import type { RealtimeModuleOptions } from '../../options/realtime-options.interface';
import { createRealtimeTestBed, FakeSocket, RealtimeTestBed, refusal } from '../../testing/internal/unit-fakes';
import { ConnectionStateService } from './connection-state.service';
import type { RealtimeConnection } from './realtime-connection';

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);

describe('ConnectionStateService', () => {
  let bed: RealtimeTestBed;
  let states: ConnectionStateService;
  let connection: RealtimeConnection;
  let socket: FakeSocket;
  let changes: ConnectionStateChange[];

  async function setUp(options: RealtimeModuleOptions = {}): Promise<void> {
    bed = await createRealtimeTestBed(options, [ConnectionStateService]);
    states = bed.moduleRef.get(ConnectionStateService);
    ({ connection, socket } = bed.connect('c1', 'alice'));
    changes = [];
    states.connectionState$.subscribe((change) => changes.push(change));
  }

  beforeEach(async () => {
    jest.useFakeTimers({ now: T0 });
    await setUp();
  });

  afterEach(() => jest.useRealTimers());

  describe('start', () => {
    it('puts a new connection in the initial state and announces it once', () => {
      states.start(connection);

      expect(connection.state).toBe('connected');
      expect(states.get('c1')).toBe('connected');
      expect(socket.frames()).toEqual([{ event: 'connection:state', data: { state: 'connected', previous: null, at: T0 } }]);
      expect(changes).toEqual([{ connectionId: 'c1', clientId: 'alice', from: null, to: 'connected', at: T0, reason: 'open' }]);
    });

    it('uses the configured initial state', async () => {
      await setUp({ state: { initial: 'idle' } });
      states.start(connection);

      expect(connection.state).toBe('idle');
    });
  });

  describe('transition', () => {
    beforeEach(() => {
      states.start(connection);
      socket.send.mockClear();
      changes.length = 0;
    });

    it('goes connected → idle → connected, timestamping and announcing each change', async () => {
      jest.setSystemTime(T0 + 1000);
      const toIdle = await states.transition('c1', 'idle', 'no input');
      jest.setSystemTime(T0 + 2500);
      const back = await states.transition('c1', 'connected');

      expect(toIdle).toEqual({ connectionId: 'c1', clientId: 'alice', from: 'connected', to: 'idle', at: T0 + 1000, reason: 'no input' });
      expect(back).toEqual({ connectionId: 'c1', clientId: 'alice', from: 'idle', to: 'connected', at: T0 + 2500 });
      expect(states.get('c1')).toBe('connected');
      expect(socket.frames()).toEqual([
        { event: 'connection:state', data: { state: 'idle', previous: 'connected', at: T0 + 1000 } },
        { event: 'connection:state', data: { state: 'connected', previous: 'idle', at: T0 + 2500 } },
      ]);
      expect(changes).toEqual([toIdle, back]);
      expect(states.history('c1').map((change) => [change.from, change.to, change.at])).toEqual([
        [null, 'connected', T0],
        ['connected', 'idle', T0 + 1000],
        ['idle', 'connected', T0 + 2500],
      ]);
    });

    it('refuses a transition the machine does not allow and changes nothing', async () => {
      await states.transition('c1', 'error');
      socket.send.mockClear();
      changes.length = 0;
      const historyBefore = states.history('c1');

      const error = await refusal(() => states.transition('c1', 'connected'));

      expect(error.code).toBe('invalid');
      expect(error.message).toBe('A connection cannot go from "error" to "connected"; from "error" it may go to reconnecting, disconnected.');
      expect(states.get('c1')).toBe('error');
      expect(states.history('c1')).toEqual(historyBefore);
      expect(socket.send).not.toHaveBeenCalled();
      expect(changes).toEqual([]);
    });

    it('refuses an unknown state and changes nothing', async () => {
      const historyBefore = states.history('c1');

      const error = await refusal(() => states.transition('c1', 'sleeping'));

      expect(error.code).toBe('invalid');
      expect(error.message).toContain('Unknown connection state "sleeping"');
      expect(connection.state).toBe('connected');
      expect(states.history('c1')).toEqual(historyBefore);
      expect(socket.send).not.toHaveBeenCalled();
      expect(changes).toEqual([]);
    });

    it('sends nothing and records nothing when asked for the current state', async () => {
      const current = await states.transition('c1', 'connected');

      expect(current).toEqual({ connectionId: 'c1', clientId: 'alice', from: null, to: 'connected', at: T0, reason: 'open' });
      expect(states.history('c1')).toHaveLength(1);
      expect(socket.send).not.toHaveBeenCalled();
      expect(changes).toEqual([]);
    });

    it('refuses a connection it does not know with not_found', async () => {
      const error = await refusal(() => states.transition('nobody', 'idle'));

      expect(error.code).toBe('not_found');
      expect(states.get('nobody')).toBeUndefined();
      expect(states.history('nobody')).toEqual([]);
    });

    it('keeps only the last historySize changes, oldest first', async () => {
      await setUp({ state: { historySize: 3 } });
      states.start(connection);
      for (const [index, to] of ['idle', 'connected', 'idle', 'connected'].entries()) {
        jest.setSystemTime(T0 + (index + 1) * 100);
        await states.transition('c1', to);
      }

      expect(states.history('c1').map((change) => [change.from, change.to, change.at])).toEqual([
        ['idle', 'connected', T0 + 200],
        ['connected', 'idle', T0 + 300],
        ['idle', 'connected', T0 + 400],
      ]);
      expect(states.history('c1')).toHaveLength(3);
      expect(socket.framesOf('connection:state')).toHaveLength(5);
    });

    it('keeps the last change alone with a historySize of 1, and answers it for the current state', async () => {
      await setUp({ state: { historySize: 1 } });
      states.start(connection);
      jest.setSystemTime(T0 + 100);
      const idle = await states.transition('c1', 'idle');
      jest.setSystemTime(T0 + 200);

      expect(states.history('c1')).toEqual([idle]);
      expect(await states.transition('c1', 'idle')).toBe(idle);
      expect(connection.stateHistory).toEqual([idle]);
    });

    it('hands out a copy of the history that cannot alter it', () => {
      const copy = states.history('c1');
      copy.push({ connectionId: 'c1', clientId: 'alice', from: 'x', to: 'y', at: 0 });

      expect(states.history('c1')).toHaveLength(1);
    });
  });

  describe('requestByClient', () => {
    beforeEach(() => {
      states.start(connection);
      socket.send.mockClear();
      changes.length = 0;
    });

    it('lets a client move between the client states', async () => {
      const change = await states.requestByClient(connection, 'idle');

      expect(change).toEqual({ connectionId: 'c1', clientId: 'alice', from: 'connected', to: 'idle', at: T0, reason: 'client request' });
      expect(socket.frames()).toEqual([{ event: 'connection:state', data: { state: 'idle', previous: 'connected', at: T0 } }]);
    });

    it.each(['reconnecting', 'error', 'disconnected'])('refuses the server-only state %s with forbidden, changing nothing', async (to) => {
      const error = await refusal(() => states.requestByClient(connection, to));

      expect(error.code).toBe('forbidden');
      expect(error.message).toBe(`A client may only ask for the states connected, idle; "${to}" is the server's to set.`);
      expect(connection.state).toBe('connected');
      expect(states.history('c1')).toHaveLength(1);
      expect(socket.send).not.toHaveBeenCalled();
      expect(changes).toEqual([]);
    });

    it('refuses a client state the machine does not allow from the current one', async () => {
      await states.transition('c1', 'reconnecting');
      socket.send.mockClear();

      const error = await refusal(() => states.requestByClient(connection, 'idle'));

      expect(error.code).toBe('invalid');
      expect(connection.state).toBe('reconnecting');
      expect(socket.send).not.toHaveBeenCalled();
    });

    it('sends nothing when a client asks for the state it is in', async () => {
      await states.requestByClient(connection, 'idle');
      socket.send.mockClear();
      changes.length = 0;

      const current = await states.requestByClient(connection, 'idle');

      expect(current.to).toBe('idle');
      expect(states.history('c1')).toHaveLength(2);
      expect(socket.send).not.toHaveBeenCalled();
      expect(changes).toEqual([]);
    });

    it('follows configured client states', async () => {
      await setUp({ state: { clientStates: ['connected', 'idle', 'reconnecting'] } });
      states.start(connection);

      expect((await states.requestByClient(connection, 'reconnecting')).to).toBe('reconnecting');
    });
  });

  describe('finish', () => {
    it('puts a closed connection in the terminal state from any state, once', async () => {
      states.start(connection);
      await states.transition('c1', 'idle');
      changes.length = 0;

      states.finish(connection, 'closed 1000');
      states.finish(connection, 'closed 1000');

      expect(connection.state).toBe('disconnected');
      expect(changes).toEqual([{ connectionId: 'c1', clientId: 'alice', from: 'idle', to: 'disconnected', at: T0, reason: 'closed 1000' }]);
    });
  });

  describe('connectionState$', () => {
    it('is an Observable that outsiders cannot push into', () => {
      expect(isObservable(states.connectionState$)).toBe(true);
      expect((states.connectionState$ as unknown as { next?: unknown }).next).toBeUndefined();
      expect((states.connectionState$ as unknown as { error?: unknown }).error).toBeUndefined();
      expect((states.connectionState$ as unknown as { complete?: unknown }).complete).toBeUndefined();
    });

    it('emits every change to every subscriber and completes at shutdown', async () => {
      const second: string[] = [];
      let completed = false;
      states.connectionState$.subscribe({ next: (change) => second.push(change.to), complete: () => (completed = true) });

      states.start(connection);
      await states.transition('c1', 'idle');
      states.onApplicationShutdown();

      expect(changes.map((change) => change.to)).toEqual(['connected', 'idle']);
      expect(second).toEqual(['connected', 'idle']);
      expect(completed).toBe(true);
    });
  });

  describe('a custom state set', () => {
    it('drives connections through the application states', async () => {
      await setUp({
        state: {
          states: ['online', 'away', 'busy', 'offline'],
          initial: 'online',
          terminal: 'offline',
          transitions: { online: ['away', 'busy'], away: ['online'], busy: ['online'] },
          clientStates: ['online', 'away', 'busy'],
        },
      });
      states.start(connection);
      await states.requestByClient(connection, 'busy');

      expect((await refusal(() => states.requestByClient(connection, 'away'))).code).toBe('invalid');
      expect((await refusal(() => states.requestByClient(connection, 'offline'))).code).toBe('forbidden');
      states.finish(connection, 'closed 1000');
      expect(socket.framesOf('connection:state').map((frame) => [frame.data.previous, frame.data.state])).toEqual([
        [null, 'online'],
        ['online', 'busy'],
        ['busy', 'offline'],
      ]);
    });
  });
});
