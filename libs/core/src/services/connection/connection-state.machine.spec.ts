import { resolveRealtimeOptions } from '../../options/realtime-options.resolver';
import { RealtimeException } from '../../errors/realtime.exception';
import { ConnectionStateMachine } from './connection-state.machine';

function thrown(run: () => void): RealtimeException {
  try {
    run();
  } catch (error) {
    return error as RealtimeException;
  }
  throw new Error('expected the call to throw');
}

describe('ConnectionStateMachine', () => {
  describe('with the default states', () => {
    const machine = new ConnectionStateMachine(resolveRealtimeOptions().state);

    it('starts in connected and ends in disconnected', () => {
      expect(machine.initial).toBe('connected');
      expect(machine.terminal).toBe('disconnected');
    });

    it('knows its states and no other', () => {
      for (const state of ['connected', 'idle', 'reconnecting', 'disconnected', 'error']) expect(machine.has(state)).toBe(true);
      expect(machine.has('sleeping')).toBe(false);
    });

    it.each([
      ['connected', 'idle'],
      ['idle', 'connected'],
      ['connected', 'reconnecting'],
      ['idle', 'reconnecting'],
      ['reconnecting', 'connected'],
      ['error', 'reconnecting'],
      ['connected', 'error'],
      ['idle', 'error'],
      ['reconnecting', 'error'],
    ])('allows %s → %s', (from, to) => {
      expect(machine.canTransition(from, to)).toBe(true);
      expect(() => machine.assertTransition(from, to)).not.toThrow();
    });

    it('reaches the terminal state from every other state', () => {
      for (const from of ['connected', 'idle', 'reconnecting', 'error']) expect(machine.canTransition(from, 'disconnected')).toBe(true);
    });

    it.each([
      ['reconnecting', 'idle'],
      ['error', 'connected'],
      ['error', 'idle'],
      ['disconnected', 'connected'],
      ['disconnected', 'error'],
      ['connected', 'connected'],
    ])('refuses %s → %s', (from, to) => {
      expect(machine.canTransition(from, to)).toBe(false);
    });

    it('explains a refused transition with the allowed targets', () => {
      const error = thrown(() => machine.assertTransition('error', 'connected'));

      expect(error).toBeInstanceOf(RealtimeException);
      expect(error.code).toBe('invalid');
      expect(error.message).toBe('A connection cannot go from "error" to "connected"; from "error" it may go to reconnecting, disconnected.');
    });

    it('says "nothing" for a state with no way out', () => {
      expect(thrown(() => machine.assertTransition('disconnected', 'connected')).message).toBe(
        'A connection cannot go from "disconnected" to "connected"; from "disconnected" it may go to nothing.',
      );
    });

    it('refuses an unknown target state, listing the known ones', () => {
      const error = thrown(() => machine.assertTransition('connected', 'sleeping'));

      expect(error.code).toBe('invalid');
      expect(error.message).toBe('Unknown connection state "sleeping"; known states: connected, idle, reconnecting, disconnected, error.');
    });

    it('has no targets for an unknown source state', () => {
      expect(machine.targetsOf('sleeping')).toEqual([]);
      expect(machine.canTransition('sleeping', 'connected')).toBe(false);
    });

    it('lists the targets of a state with the terminal one added', () => {
      expect(machine.targetsOf('reconnecting').sort()).toEqual(['connected', 'disconnected', 'error']);
    });
  });

  describe('with a custom state set', () => {
    const machine = new ConnectionStateMachine(
      resolveRealtimeOptions({
        state: {
          states: ['online', 'away', 'offline'],
          initial: 'online',
          terminal: 'offline',
          transitions: { online: ['away'], away: ['online'] },
        },
      }).state,
    );

    it('follows its own transitions and adds the terminal state to each', () => {
      expect(machine.initial).toBe('online');
      expect(machine.canTransition('online', 'away')).toBe(true);
      expect(machine.canTransition('away', 'online')).toBe(true);
      expect(machine.canTransition('away', 'offline')).toBe(true);
      expect(machine.canTransition('offline', 'online')).toBe(false);
      expect(machine.has('connected')).toBe(false);
    });
  });
});
