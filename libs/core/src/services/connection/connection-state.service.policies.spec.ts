import type { AuditEvent } from '../audit/audit-event';
import { AuditService } from '../audit/audit.service';
import type { RealtimeModuleOptions } from '../../options/realtime-options.interface';
import { STATE_POLICY_REFUSED } from '../../realtime.messages';
import { createRealtimeTestBed, FakeSocket, refusal, RealtimeTestBed } from '../../testing/internal/unit-fakes';
import { ConnectionStateService } from './connection-state.service';
import type { RealtimeConnection } from './realtime-connection';

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);

describe('ConnectionStateService with state policies and timeouts', () => {
  let bed: RealtimeTestBed;
  let states: ConnectionStateService;
  let connection: RealtimeConnection;
  let socket: FakeSocket;
  let audit: AuditEvent[];

  async function setUp(state: RealtimeModuleOptions['state']): Promise<void> {
    bed = await createRealtimeTestBed({ state }, [ConnectionStateService]);
    states = bed.moduleRef.get(ConnectionStateService);
    await states.onModuleInit();
    ({ connection, socket } = bed.connect('c1', 'alice'));
    states.start(connection);
    socket.send.mockClear();
    audit = [];
    bed.moduleRef.get(AuditService).audit$.subscribe((event) => audit.push(event));
  }

  beforeEach(() => jest.useFakeTimers({ now: T0 }));

  afterEach(() => {
    states.onApplicationShutdown();
    jest.useRealTimers();
  });

  describe('policies', () => {
    const membersIdle = jest.fn((change: { to: string; clientId: string; by: string }) => change.to !== 'idle' || change.clientId !== 'alice' || 'idle is for members');

    beforeEach(async () => {
      membersIdle.mockClear();
      await setUp({ policies: [membersIdle] });
    });

    it('refuses a client transition with forbidden and the reason, changing and announcing nothing, and audits it', async () => {
      const error = await refusal(() => states.requestByClient(connection, 'idle'));

      expect(error.code).toBe('forbidden');
      expect(error.message).toBe(STATE_POLICY_REFUSED('connected', 'idle', 'idle is for members'));
      expect(states.get('c1')).toBe('connected');
      expect(states.history('c1')).toHaveLength(1);
      expect(socket.send).not.toHaveBeenCalled();
      expect(audit).toEqual([
        { type: 'connection.state', connectionId: 'c1', clientId: 'alice', ip: connection.ip, from: 'connected', to: 'idle', outcome: 'refused', reason: 'idle is for members', at: T0 },
      ]);
    });

    it('rejects a server transition a policy refuses, with a clear error', async () => {
      await expect(states.transition('c1', 'idle', 'no input')).rejects.toMatchObject({
        code: 'forbidden',
        message: 'A state policy refused "connected" → "idle": idle is for members',
      });
      expect(membersIdle).toHaveBeenCalledWith({ connectionId: 'c1', clientId: 'alice', claims: {}, from: 'connected', to: 'idle', reason: 'no input', by: 'server' });
      expect(states.get('c1')).toBe('connected');
    });

    it('lets through what the policies allow, audited as before', async () => {
      const change = await states.transition('c1', 'reconnecting');

      expect(change.to).toBe('reconnecting');
      expect(audit).toEqual([expect.objectContaining({ type: 'connection.state', from: 'connected', to: 'reconnecting' })]);
      expect(audit[0].outcome).toBeUndefined();
    });

    it('asks no policy for the current state, nor the machine-refused ones', async () => {
      await states.requestByClient(connection, 'connected');
      await expect(states.transition('c1', 'sleeping')).rejects.toMatchObject({ code: 'invalid' });

      expect(membersIdle).not.toHaveBeenCalled();
    });

    it('asks no policy to open or close a connection', () => {
      states.finish(connection, 'closed 1000');

      expect(membersIdle).not.toHaveBeenCalled();
      expect(states.get('c1')).toBe('disconnected');
    });

    it('refuses a change decided on a state that moved meanwhile', async () => {
      let release!: (allowed: boolean) => void;
      await setUp({ policies: [() => new Promise<boolean>((resolve) => (release = resolve))] });

      const slow = states.transition('c1', 'idle');
      states.finish(connection, 'closed 1000');
      release(true);

      await expect(slow).rejects.toMatchObject({ code: 'invalid', message: expect.stringContaining('while the state policies decided') });
      expect(states.get('c1')).toBe('disconnected');
    });
  });

  describe('timeouts', () => {
    beforeEach(() => setUp({ timeouts: { idle: { after: 5000, to: 'reconnecting' }, reconnecting: { after: 2000, to: 'disconnected' } } }));

    it('arms no timer in a state without a timeout', () => {
      expect(jest.getTimerCount()).toBe(0);
    });

    it('moves on after the time in the state, with reason timeout, announced with the reason and audited', async () => {
      await states.transition('c1', 'idle');
      jest.setSystemTime(T0 + 4999);
      await jest.advanceTimersByTimeAsync(4999);
      expect(states.get('c1')).toBe('idle');

      await jest.advanceTimersByTimeAsync(1);

      expect(states.get('c1')).toBe('reconnecting');
      expect(states.history('c1').at(-1)).toMatchObject({ from: 'idle', to: 'reconnecting', reason: 'timeout' });
      expect(socket.frames().at(-1)).toEqual({ event: 'connection:state', data: { state: 'reconnecting', previous: 'idle', at: expect.any(Number), reason: 'timeout' } });
      expect(audit.at(-1)).toMatchObject({ type: 'connection.state', from: 'idle', to: 'reconnecting', reason: 'timeout' });
    });

    it('chains timeouts from state to state', async () => {
      await states.transition('c1', 'idle');
      await jest.advanceTimersByTimeAsync(5000 + 2000);

      expect(states.history('c1').map((change) => change.to)).toEqual(['connected', 'idle', 'reconnecting', 'disconnected']);
      expect(jest.getTimerCount()).toBe(0);
    });

    it('disarms the timer when the connection leaves the state first', async () => {
      await states.transition('c1', 'idle');
      await jest.advanceTimersByTimeAsync(3000);
      await states.transition('c1', 'connected');
      await jest.advanceTimersByTimeAsync(10_000);

      expect(states.get('c1')).toBe('connected');
      expect(jest.getTimerCount()).toBe(0);
    });

    it('starts the time again when the connection comes back to the state', async () => {
      await states.transition('c1', 'idle');
      await jest.advanceTimersByTimeAsync(4000);
      await states.transition('c1', 'connected');
      await states.transition('c1', 'idle');
      await jest.advanceTimersByTimeAsync(4000);

      expect(states.get('c1')).toBe('idle');
    });

    it('clears the timer when the connection closes', async () => {
      await states.transition('c1', 'idle');
      states.finish(connection, 'closed 1000');

      expect(jest.getTimerCount()).toBe(0);
    });

    it('arms the timer of the initial state', async () => {
      await setUp({ initial: 'idle', timeouts: { idle: { after: 1000, to: 'connected' } } });

      await jest.advanceTimersByTimeAsync(1000);

      expect(states.get('c1')).toBe('connected');
    });

    it('clears every timer at shutdown', async () => {
      await states.transition('c1', 'idle');
      states.onApplicationShutdown();

      expect(jest.getTimerCount()).toBe(0);
    });

    it('leaves the connection in the state when a policy refuses the timeout, and audits the refusal', async () => {
      await setUp({ timeouts: { idle: { after: 1000, to: 'reconnecting' } }, policies: [(change) => change.by !== 'timeout' || 'keep idle'] });
      await states.transition('c1', 'idle');

      await jest.advanceTimersByTimeAsync(1000);

      expect(states.get('c1')).toBe('idle');
      expect(audit.at(-1)).toMatchObject({ from: 'idle', to: 'reconnecting', outcome: 'refused', reason: 'keep idle' });
      expect(jest.getTimerCount()).toBe(0);
    });
  });
});
