import { resolveRealtimeOptions } from './realtime-options.resolver';
import { optionsFailure as failure } from '../testing/internal/option-failure';
import {
  AN_INTEGER,
  AN_OBJECT,
  INVALID_MODULE_OPTION as invalid,
  STATE_POLICY_ENTRY,
  STATE_TIMEOUT_ENTRY,
  STATE_TIMEOUT_NOT_ALLOWED,
  STATE_TIMEOUT_ON_TERMINAL,
} from '../realtime.messages';

const STATES = ['connected', 'idle', 'reconnecting', 'disconnected', 'error'];

describe('state.policies and state.timeouts', () => {
  it('default to no policy and no timeout', () => {
    const { state } = resolveRealtimeOptions();

    expect(state.policies).toEqual([]);
    expect(state.timeouts).toEqual({});
  });

  it('keep the policies in order, as given', () => {
    const fn = () => true;
    class Policy {
      decide(): boolean {
        return true;
      }
    }
    const object = { decide: () => 'no' };

    expect(resolveRealtimeOptions({ state: { policies: [fn, Policy, object] } }).state.policies).toEqual([fn, Policy, object]);
  });

  it('take a timeout to any state the machine allows, the terminal one included', () => {
    const { state } = resolveRealtimeOptions({
      state: { timeouts: { idle: { after: 30_000, to: 'connected' }, reconnecting: { after: 60_000, to: 'disconnected' } } },
    });

    expect(state.timeouts).toEqual({ idle: { after: 30_000, to: 'connected' }, reconnecting: { after: 60_000, to: 'disconnected' } });
  });

  it('check timeouts against a custom machine', () => {
    const custom = { states: ['online', 'away', 'offline'], initial: 'online', terminal: 'offline', transitions: { online: ['away'], away: ['online'] } };

    expect(resolveRealtimeOptions({ state: { ...custom, timeouts: { away: { after: 1000, to: 'online' } } } }).state.timeouts).toEqual({
      away: { after: 1000, to: 'online' },
    });
    expect(failure({ state: { ...custom, timeouts: { online: { after: 1000, to: 'online' } } } })).toBe(
      invalid('state.timeouts.online.to', STATE_TIMEOUT_NOT_ALLOWED('online', ['away', 'offline']), 'online'),
    );
  });

  it.each<[string, unknown, string, string, unknown]>([
    ['policies not an array', { policies: () => true }, 'state.policies', `an array of ${STATE_POLICY_ENTRY}`, () => true],
    ['a policy that is neither a function nor has decide', { policies: [() => true, { allow: () => true }] }, 'state.policies[1]', STATE_POLICY_ENTRY, { allow: () => true }],
    ['timeouts not an object', { timeouts: [] }, 'state.timeouts', AN_OBJECT(), []],
    ['a timeout of an unknown state', { timeouts: { asleep: { after: 1, to: 'connected' } } }, 'state.timeouts (state "asleep")', `one of state.states (${STATES.join(', ')})`, 'asleep'],
    ['a timeout on the terminal state', { timeouts: { disconnected: { after: 1, to: 'connected' } } }, 'state.timeouts.disconnected', STATE_TIMEOUT_ON_TERMINAL('disconnected'), { after: 1, to: 'connected' }],
    ['a timeout that is a number', { timeouts: { idle: 5000 } }, 'state.timeouts.idle', STATE_TIMEOUT_ENTRY(STATES), 5000],
    ['a timeout without after', { timeouts: { idle: { to: 'connected' } } }, 'state.timeouts.idle.after', AN_INTEGER(1), undefined],
    ['a timeout after zero ms', { timeouts: { idle: { after: 0, to: 'connected' } } }, 'state.timeouts.idle.after', AN_INTEGER(1), 0],
    [
      'a timeout to a state the machine does not allow',
      { timeouts: { error: { after: 1000, to: 'connected' } } },
      'state.timeouts.error.to',
      STATE_TIMEOUT_NOT_ALLOWED('error', ['reconnecting', 'disconnected']),
      'connected',
    ],
    [
      'a timeout to an unknown state',
      { timeouts: { idle: { after: 1000, to: 'asleep' } } },
      'state.timeouts.idle.to',
      STATE_TIMEOUT_NOT_ALLOWED('idle', ['connected', 'reconnecting', 'disconnected', 'error']),
      'asleep',
    ],
  ])('fail at startup on %s, naming the option', (_case, state, name, expected, got) => {
    expect(failure({ state } as never)).toBe(invalid(name, expected, got));
  });
});
