import { MemoryEngine } from '../engine/memory/memory.engine';
import { DEFAULT_STATES, DEFAULT_TRANSITIONS, resolveRealtimeOptions } from './realtime-options.resolver';
import { optionsFailure as failure } from '../testing/internal/option-failure';
import { A_FUNCTION, AN_ARRAY_OF, AN_INTEGER, AN_OBJECT, INVALID_MODULE_OPTION as invalid, NON_EMPTY_STRINGS } from '../realtime.messages';
import { LOG_LEVELS } from './option.checks';

describe('resolveRealtimeOptions', () => {
  describe('defaults', () => {
    it('applies every default when no option is given', () => {
      const options = resolveRealtimeOptions();

      expect(options.path).toBe('/realtime');
      expect(options.authenticate).toBeUndefined();
      expect(options.heartbeat).toEqual({ interval: 25_000, timeout: 60_000, adaptive: false });
      expect(options.channels).toEqual([]);
      expect(options.presence).toEqual({ maxMetaBytes: 2048, maxMetaDepth: 4, batchMs: 20 });
      expect(options.state).toEqual({
        states: ['connected', 'idle', 'reconnecting', 'disconnected', 'error'],
        initial: 'connected',
        terminal: 'disconnected',
        transitions: DEFAULT_TRANSITIONS,
        clientStates: ['connected', 'idle'],
        historySize: 20,
        policies: [],
        timeouts: {},
      });
      expect(options.sharedState).toEqual({
        separator: '/',
        maxValueBytes: 16_384,
        maxValueDepth: 8,
        maxTtl: 86_400_000,
        expiryInterval: 1000,
        groups: { maxKeys: 1000, log: 100 },
      });
      expect(options.cleanup).toEqual({ interval: 1000, batchSize: 500, maxRetries: 3 });
      expect(options.maxFrameBytes).toBe(1_048_576);
      expect(options.engine).toBeInstanceOf(MemoryEngine);
      expect(options.resume).toEqual({ ttl: 120_000 });
      expect(options.logLevels).toEqual(['log', 'warn', 'error', 'fatal']);
    });

    it('takes a resume window, or resume: false, and refuses a window under a second or an engine that is none', () => {
      expect(resolveRealtimeOptions({ resume: { ttl: 5000 } }).resume).toEqual({ ttl: 5000 });
      expect(resolveRealtimeOptions({ resume: false }).resume).toBe(false);
      expect(() => resolveRealtimeOptions({ resume: { ttl: 10 } })).toThrow('option "resume.ttl" must be an integer ≥ 1000; got 10.');
      expect(() => resolveRealtimeOptions({ engine: {} as never })).toThrow('option "engine" must be a RealtimeEngine such as new MemoryEngine() or new RedisEngine({url}); got {}.');
    });

    it('gives each resolution its own engine and its own copies of the default lists', () => {
      const first = resolveRealtimeOptions();
      const second = resolveRealtimeOptions();

      expect(first.engine).not.toBe(second.engine);
      first.state.states.push('mutated');
      first.state.clientStates.push('mutated');
      expect(DEFAULT_STATES).not.toContain('mutated');
      expect(second.state.states).toEqual(['connected', 'idle', 'reconnecting', 'disconnected', 'error']);
      expect(second.state.clientStates).toEqual(['connected', 'idle']);
    });

    it('keeps the values it is given, filling in only the missing ones', () => {
      const engine = new MemoryEngine();
      const authenticate = () => ({ clientId: 'u1' });
      const options = resolveRealtimeOptions({
        path: '/ws',
        authenticate,
        heartbeat: { interval: 1000 },
        presence: { batchMs: 0 },
        cleanup: { maxRetries: 0, batchSize: 2 },
        maxFrameBytes: 64,
        engine,
        logLevels: ['debug', 'error'],
      });

      expect(options.path).toBe('/ws');
      expect(options.authenticate).toBe(authenticate);
      expect(options.heartbeat).toEqual({ interval: 1000, timeout: 60_000, adaptive: false });
      expect(options.presence).toEqual({ maxMetaBytes: 2048, maxMetaDepth: 4, batchMs: 0 });
      expect(options.cleanup).toEqual({ interval: 1000, batchSize: 2, maxRetries: 0 });
      expect(options.maxFrameBytes).toBe(64);
      expect(options.engine).toBe(engine);
      expect(options.logLevels).toEqual(['debug', 'error']);
    });

    it('compiles channel rules with their defaults', () => {
      const options = resolveRealtimeOptions({ channels: [{ pattern: 'room:*', presence: true }] });

      expect(options.channels).toHaveLength(1);
      expect(options.channels[0].pattern).toBe('room:*');
      expect(options.channels[0].options).toEqual({ presence: true, publish: 'members', limit: 0, requiredMeta: [], private: false });
      expect(options.channels[0].matcher.test('room:1')).toBe(true);
    });
  });

  describe('bad options fail with a message naming the option', () => {
    it.each<[string, unknown, string, string, unknown]>([
      ['options not an object', 'nope', 'options', AN_OBJECT(), 'nope'],
      ['path without a leading slash', { path: 'realtime' }, 'path', 'a string starting with "/"', 'realtime'],
      ['authenticate not a function', { authenticate: 'token' }, 'authenticate', A_FUNCTION('(request) => {clientId, claims?}'), 'token'],
      ['heartbeat.interval zero', { heartbeat: { interval: 0 } }, 'heartbeat.interval', AN_INTEGER(1), 0],
      ['heartbeat.interval fractional', { heartbeat: { interval: 1.5 } }, 'heartbeat.interval', AN_INTEGER(1), 1.5],
      ['heartbeat.timeout a string', { heartbeat: { timeout: '60s' } }, 'heartbeat.timeout', AN_INTEGER(1), '60s'],
      ['heartbeat.adaptive true', { heartbeat: { adaptive: true } }, 'heartbeat.adaptive', AN_OBJECT(true), true],
      ['heartbeat.adaptive.lagThreshold zero', { heartbeat: { adaptive: { lagThreshold: 0 } } }, 'heartbeat.adaptive.lagThreshold', AN_INTEGER(1), 0],
      ['channels not an array', { channels: { pattern: 'a' } }, 'channels', 'an array of channel rules', { pattern: 'a' }],
      ['channels[0] not an object', { channels: [null] }, 'channels[0]', 'an object with a pattern', null],
      ['presence.maxMetaBytes negative', { presence: { maxMetaBytes: -1 } }, 'presence.maxMetaBytes', AN_INTEGER(1), -1],
      ['presence.maxMetaDepth zero', { presence: { maxMetaDepth: 0 } }, 'presence.maxMetaDepth', AN_INTEGER(1), 0],
      ['presence.batchMs negative', { presence: { batchMs: -5 } }, 'presence.batchMs', AN_INTEGER(0), -5],
      ['cleanup.interval NaN', { cleanup: { interval: NaN } }, 'cleanup.interval', AN_INTEGER(1), NaN],
      ['cleanup.batchSize zero', { cleanup: { batchSize: 0 } }, 'cleanup.batchSize', AN_INTEGER(1), 0],
      ['cleanup.maxRetries negative', { cleanup: { maxRetries: -1 } }, 'cleanup.maxRetries', AN_INTEGER(0), -1],
      ['maxFrameBytes below 64', { maxFrameBytes: 63 }, 'maxFrameBytes', AN_INTEGER(64), 63],
      ['state.historySize zero', { state: { historySize: 0 } }, 'state.historySize', AN_INTEGER(1), 0],
      ['resume neither an object nor false', { resume: 'on' }, 'resume', AN_OBJECT(true), 'on'],
    ])('%s', (_case, raw, name, expected, got) => {
      expect(failure(raw)).toBe(invalid(name, expected, got));
    });

    it('takes the shared-state options and refuses bad ones, naming them', () => {
      const sharedState = { separator: '::', maxValueBytes: 100, maxValueDepth: 2, maxTtl: 5000, expiryInterval: 250, groups: { maxKeys: 5, log: 0 } };
      expect(resolveRealtimeOptions({ sharedState }).sharedState).toEqual(sharedState);
      expect(() => resolveRealtimeOptions({ sharedState: { separator: '' } })).toThrow(
        'option "sharedState.separator" must be a string of 1 to 4 printable characters without spaces; got "".',
      );
      expect(() => resolveRealtimeOptions({ sharedState: { maxValueBytes: 1 } })).toThrow('option "sharedState.maxValueBytes" must be an integer');
      expect(() => resolveRealtimeOptions({ sharedState: { expiryInterval: 0 } })).toThrow('option "sharedState.expiryInterval" must be an integer');
      expect(() => resolveRealtimeOptions({ sharedState: { groups: { log: -1 } } })).toThrow('option "sharedState.groups.log" must be an integer');
      expect(() => resolveRealtimeOptions({ sharedState: 5 as never })).toThrow('option "sharedState" must be');
    });

    it('refuses a heartbeat.timeout that is not greater than heartbeat.interval', () => {
      expect(failure({ heartbeat: { interval: 5000, timeout: 5000 } })).toBe(
        invalid('heartbeat.timeout', 'a number greater than heartbeat.interval (5000)', 5000),
      );
      expect(failure({ heartbeat: { interval: 5000, timeout: 4000 } })).toContain('option "heartbeat.timeout"');
      expect(failure({ heartbeat: { interval: 5000, timeout: 5001 } })).toBeUndefined();
    });

    it('refuses a heartbeat.adaptive.maxInterval below heartbeat.interval', () => {
      expect(failure({ heartbeat: { interval: 5000, adaptive: { maxInterval: 4000 } } })).toBe(
        invalid('heartbeat.adaptive.maxInterval', 'a number at least heartbeat.interval (5000)', 4000),
      );
      expect(failure({ heartbeat: { interval: 5000, adaptive: { maxInterval: 5000 } } })).toBeUndefined();
    });

    it('resolves heartbeat.adaptive: off by default, and 4 × interval and 100 ms when given without values', () => {
      expect(resolveRealtimeOptions({ heartbeat: { adaptive: false } }).heartbeat.adaptive).toBe(false);
      expect(resolveRealtimeOptions({ heartbeat: { interval: 1000, timeout: 3000, adaptive: {} } }).heartbeat).toEqual({
        interval: 1000,
        timeout: 3000,
        adaptive: { maxInterval: 4000, lagThreshold: 100 },
      });
      expect(resolveRealtimeOptions({ heartbeat: { adaptive: { maxInterval: 60_000, lagThreshold: 250 } } }).heartbeat.adaptive).toEqual({
        maxInterval: 60_000,
        lagThreshold: 250,
      });
    });

    it('refuses an interval above the default timeout when no timeout is given', () => {
      expect(failure({ heartbeat: { interval: 90_000 } })).toContain('option "heartbeat.timeout" must be a number greater than heartbeat.interval (90000); got 60000');
    });

    it('refuses a channel rule without a pattern, naming its index', () => {
      expect(failure({ channels: [{ pattern: 'ok:*' }, { presence: true }] })).toBe(
        invalid('channels[1].pattern', 'a non-empty string such as "room:*"', undefined),
      );
      expect(failure({ channels: [{ pattern: '' }] })).toContain('option "channels[0].pattern"');
    });

    it.each<[string, Record<string, unknown>, string]>([
      ['presence', { presence: 'yes' }, 'channels[0].presence'],
      ['publish', { publish: 'everyone' }, 'channels[0].publish'],
      ['limit', { limit: -1 }, 'channels[0].limit'],
      ['limit', { limit: 2.5 }, 'channels[0].limit'],
      ['requiredMeta', { requiredMeta: 'name' }, 'channels[0].requiredMeta'],
      ['requiredMeta', { requiredMeta: ['name', 3] }, 'channels[0].requiredMeta'],
    ])('refuses a bad channel rule %s', (_field, rule, name) => {
      expect(failure({ channels: [{ pattern: 'room:*', ...rule }] })).toContain(`option "${name}"`);
    });

    it('refuses a state.initial that is not a known state', () => {
      expect(failure({ state: { initial: 'online' } })).toBe(
        invalid('state.initial', 'one of state.states (connected, idle, reconnecting, disconnected, error)', 'online'),
      );
    });

    it('refuses a state.terminal that is not a known state', () => {
      expect(failure({ state: { terminal: 'gone' } })).toContain('option "state.terminal" must be one of state.states');
    });

    it('refuses state.states that is not a list of non-empty strings', () => {
      expect(failure({ state: { states: 'connected' } })).toBe(invalid('state.states', NON_EMPTY_STRINGS, 'connected'));
      expect(failure({ state: { states: ['connected', ''] } })).toContain('option "state.states"');
    });

    it('refuses transitions from or to an unknown state', () => {
      expect(failure({ state: { transitions: { sleeping: ['connected'] } } })).toContain('option "state.transitions (from "sleeping")"');
      expect(failure({ state: { transitions: { connected: ['sleeping'] } } })).toContain(
        'option "state.transitions.connected" must be one of state.states',
      );
      expect(failure({ state: { transitions: { connected: 'idle' } } })).toBe(invalid('state.transitions.connected', NON_EMPTY_STRINGS, 'idle'));
      expect(failure({ state: { transitions: ['connected'] } })).toContain('option "state.transitions" must be an object');
    });

    it('refuses clientStates that are not known states', () => {
      expect(failure({ state: { clientStates: ['connected', 'away'] } })).toContain('option "state.clientStates" must be one of state.states');
    });

    it('refuses a client state that is the terminal one', () => {
      expect(failure({ state: { clientStates: ['connected', 'disconnected'] } })).toContain(
        'option "state.clientStates" must be states other than the terminal one ("disconnected")',
      );
    });

    it('refuses option groups that are not objects', () => {
      expect(failure({ heartbeat: 5 })).toBe(invalid('heartbeat', AN_OBJECT(), 5));
      expect(failure({ state: null })).toBe(invalid('state', AN_OBJECT(), null));
      expect(failure({ presence: [] })).toContain('option "presence" must be an object');
      expect(failure({ cleanup: 'fast' })).toContain('option "cleanup" must be an object');
    });

    it('refuses logLevels that are not a list of Nest log levels', () => {
      expect(failure({ logLevels: ['log', 'info'] })).toBe(invalid('logLevels', AN_ARRAY_OF(LOG_LEVELS), ['log', 'info']));
      expect(failure({ logLevels: 'debug' })).toContain('option "logLevels"');
    });

    it('words the message for a reader: the module, the option, what it must be, what it got', () => {
      expect(failure({ path: () => '/x' })).toBe('RealtimeModule: option "path" must be a string starting with "/"; got a function.');
    });
  });

  describe('custom state sets', () => {
    it('accepts an application state set with its own transitions and client states', () => {
      const options = resolveRealtimeOptions({
        state: {
          states: ['online', 'away', 'busy', 'offline'],
          initial: 'online',
          terminal: 'offline',
          transitions: { online: ['away', 'busy'], away: ['online'], busy: ['online'] },
          clientStates: ['online', 'away', 'busy'],
          historySize: 3,
        },
      });

      expect(options.state).toEqual({
        states: ['online', 'away', 'busy', 'offline'],
        initial: 'online',
        terminal: 'offline',
        transitions: { online: ['away', 'busy'], away: ['online'], busy: ['online'] },
        clientStates: ['online', 'away', 'busy'],
        historySize: 3,
        policies: [],
        timeouts: {},
      });
    });

    it('does not apply the default transitions to a custom state set', () => {
      const options = resolveRealtimeOptions({
        state: { states: ['connected', 'idle', 'disconnected'] },
      });

      expect(options.state.transitions).toEqual({});
      expect(options.state.clientStates).toEqual(['connected', 'idle']);
    });

    it('keeps only the default client states that a custom set knows', () => {
      const options = resolveRealtimeOptions({
        state: { states: ['connected', 'paused', 'disconnected'], transitions: { connected: ['paused'], paused: ['connected'] } },
      });

      expect(options.state.clientStates).toEqual(['connected']);
    });

    it('needs an initial state from the custom set when "connected" is not in it', () => {
      expect(failure({ state: { states: ['online', 'offline'], terminal: 'offline' } })).toContain('option "state.initial"');
      expect(failure({ state: { states: ['online', 'offline'], initial: 'online' } })).toContain('option "state.terminal"');
    });
  });
});
