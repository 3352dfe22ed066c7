import type { LogLevel, Type } from '@nestjs/common';
import { ChannelRule, compileChannelRules, CompiledChannelRule } from '../services/channel/channel.options';
import { MemoryEngine } from '../engine/memory/memory.engine';
import type { RealtimeEngine } from '../engine/realtime-engine.interface';
import type { Authenticate, HeartbeatOptions, RealtimeModuleOptions } from './realtime-options.interface';
import type { StateMachineOptions, StatePolicy, StatePolicyProvider, StateTimeout } from './realtime-options.interface';
import { AN_INTEGER, STATE_POLICY_ENTRY, STATE_TIMEOUT_ENTRY, STATE_TIMEOUT_NOT_ALLOWED, STATE_TIMEOUT_ON_TERMINAL } from '../realtime.messages';
import { moduleOptionChecks as check } from './option.checks';
import { resolveDrainOptions, ResolvedDrainOptions } from './drain-options.resolver';
import { resolveHooksOptions, ResolvedHooksOptions } from './hooks-options.resolver';
import { resolveSecurityOptions, ResolvedSecurityOptions } from './security-options.resolver';

export interface ResolvedHeartbeatOptions {
  interval: number;
  timeout: number;
  /** false: a fixed interval. */
  adaptive: { maxInterval: number; lagThreshold: number } | false;
}

/** Options with every default applied and every value checked. */
export interface ResolvedRealtimeOptions extends ResolvedSecurityOptions {
  path: string;
  authenticate?: Authenticate;
  heartbeat: ResolvedHeartbeatOptions;
  channels: CompiledChannelRule[];
  presence: { maxMetaBytes: number; maxMetaDepth: number; batchMs: number };
  state: {
    states: string[];
    initial: string;
    terminal: string;
    transitions: Record<string, string[]>;
    clientStates: string[];
    historySize: number;
    policies: Array<StatePolicy | StatePolicyProvider | Type<StatePolicyProvider>>;
    timeouts: Record<string, StateTimeout>;
  };
  sharedState: ResolvedSharedStateOptions;
  cleanup: { interval: number; batchSize: number; maxRetries: number };
  maxFrameBytes: number;
  engine: RealtimeEngine;
  /** false: no resume. */
  resume: { ttl: number } | false;
  drain: ResolvedDrainOptions;
  hooks: ResolvedHooksOptions;
  logLevels: LogLevel[];
}

export interface ResolvedSharedStateOptions {
  separator: string;
  maxValueBytes: number;
  maxValueDepth: number;
  maxTtl: number;
  expiryInterval: number;
  groups: { maxKeys: number; log: number };
}

export const DEFAULT_STATES = ['connected', 'idle', 'reconnecting', 'disconnected', 'error'];
export const DEFAULT_TRANSITIONS: Record<string, string[]> = {
  connected: ['idle', 'reconnecting', 'disconnected', 'error'],
  idle: ['connected', 'reconnecting', 'disconnected', 'error'],
  reconnecting: ['connected', 'disconnected', 'error'],
  error: ['reconnecting', 'disconnected'],
  disconnected: [],
};
function resolveHeartbeat(raw: Partial<HeartbeatOptions>): ResolvedHeartbeatOptions {
  const interval = check.integer('heartbeat.interval', raw.interval, 25_000, 1);
  const timeout = check.integer('heartbeat.timeout', raw.timeout, 60_000, 1);
  if (timeout <= interval) {
    throw check.fail('heartbeat.timeout', `a number greater than heartbeat.interval (${interval})`, timeout);
  }
  const adaptiveRaw = check.sectionOrOff('heartbeat.adaptive', raw.adaptive ?? false);
  if (!adaptiveRaw) return { interval, timeout, adaptive: false };
  const maxInterval = check.integer('heartbeat.adaptive.maxInterval', adaptiveRaw.maxInterval, 4 * interval, 1);
  if (maxInterval < interval) {
    throw check.fail('heartbeat.adaptive.maxInterval', `a number at least heartbeat.interval (${interval})`, maxInterval);
  }
  const lagThreshold = check.integer('heartbeat.adaptive.lagThreshold', adaptiveRaw.lagThreshold, 100, 1);
  return { interval, timeout, adaptive: { maxInterval, lagThreshold } };
}

function resolveSharedState(value: RealtimeModuleOptions['sharedState']): ResolvedSharedStateOptions {
  const raw = check.section('sharedState', value);
  const groups = check.section('sharedState.groups', raw.groups);
  return {
    separator: check.text('sharedState.separator', raw.separator, '/', /^[\x21-\x7e]{1,4}$/, 'a string of 1 to 4 printable characters without spaces'),
    maxValueBytes: check.integer('sharedState.maxValueBytes', raw.maxValueBytes, 16_384, 2, 1_048_576),
    maxValueDepth: check.integer('sharedState.maxValueDepth', raw.maxValueDepth, 8, 1, 64),
    maxTtl: check.integer('sharedState.maxTtl', raw.maxTtl, 86_400_000, 1),
    expiryInterval: check.integer('sharedState.expiryInterval', raw.expiryInterval, 1000, 10),
    groups: {
      maxKeys: check.integer('sharedState.groups.maxKeys', groups.maxKeys, 1000, 1, 100_000),
      log: check.integer('sharedState.groups.log', groups.log, 100, 0, 10_000),
    },
  };
}

function resolveState(value: RealtimeModuleOptions['state']): ResolvedRealtimeOptions['state'] {
  const raw = check.section('state', value);
  const states = check.stringList('state.states', raw.states, DEFAULT_STATES);
  const known = new Set(states);
  const member = (name: string, value: unknown, fallback: string): string => {
    const state = value === undefined ? fallback : value;
    if (typeof state !== 'string' || !known.has(state)) {
      throw check.fail(name, `one of state.states (${states.join(', ')})`, state);
    }
    return state;
  };
  const initial = member('state.initial', raw.initial, 'connected');
  const terminal = member('state.terminal', raw.terminal, 'disconnected');
  const transitions: Record<string, string[]> = {};
  const source = raw.transitions ?? (raw.states === undefined ? DEFAULT_TRANSITIONS : {});
  if (typeof source !== 'object' || source === null || Array.isArray(source)) {
    throw check.fail('state.transitions', 'an object of state → states', source);
  }
  for (const [from, targets] of Object.entries(source)) {
    member(`state.transitions (from "${from}")`, from, from);
    transitions[from] = check.stringList(`state.transitions.${from}`, targets, []).map((to) =>
      member(`state.transitions.${from}`, to, to),
    );
  }
  const clientStates = check.stringList('state.clientStates', raw.clientStates, ['connected', 'idle'].filter((s) => known.has(s)));
  clientStates.forEach((state) => member('state.clientStates', state, state));
  if (clientStates.includes(terminal)) {
    throw check.fail('state.clientStates', `states other than the terminal one ("${terminal}"): closing is the server's`, clientStates);
  }
  return {
    states,
    initial,
    terminal,
    transitions,
    clientStates,
    historySize: check.integer('state.historySize', raw.historySize, 20, 1),
    policies: resolveStatePolicies(raw.policies),
    timeouts: resolveStateTimeouts(raw.timeouts, states, terminal, transitions),
  };
}

function resolveStatePolicies(value: StateMachineOptions['policies']): ResolvedRealtimeOptions['state']['policies'] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw check.fail('state.policies', `an array of ${STATE_POLICY_ENTRY}`, value);
  value.forEach((entry, index) => {
    const usable =
      typeof entry === 'function' || (typeof entry === 'object' && entry !== null && typeof (entry as StatePolicyProvider).decide === 'function');
    if (!usable) throw check.fail(`state.policies[${index}]`, STATE_POLICY_ENTRY, entry);
  });
  return [...value];
}

function resolveStateTimeouts(
  value: StateMachineOptions['timeouts'],
  states: string[],
  terminal: string,
  transitions: Record<string, string[]>,
): Record<string, StateTimeout> {
  const raw = check.section('state.timeouts', value) as Record<string, unknown>;
  const timeouts: Record<string, StateTimeout> = {};
  for (const [state, entry] of Object.entries(raw)) {
    const name = `state.timeouts.${state}`;
    if (!states.includes(state)) throw check.fail(`state.timeouts (state "${state}")`, `one of state.states (${states.join(', ')})`, state);
    if (state === terminal) throw check.fail(name, STATE_TIMEOUT_ON_TERMINAL(terminal), entry);
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw check.fail(name, STATE_TIMEOUT_ENTRY(states), entry);
    const { after, to } = entry as Partial<StateTimeout>;
    if (after === undefined) throw check.fail(`${name}.after`, AN_INTEGER(1), after);
    const targets = [...new Set([...(transitions[state] ?? []), terminal])];
    if (typeof to !== 'string' || !targets.includes(to)) throw check.fail(`${name}.to`, STATE_TIMEOUT_NOT_ALLOWED(state, targets), to);
    timeouts[state] = { after: check.integer(`${name}.after`, after, 0, 1), to };
  }
  return timeouts;
}

/** Applies the defaults and checks every option; a bad option fails the bootstrap with its name. */
export function resolveRealtimeOptions(raw: RealtimeModuleOptions = {}): ResolvedRealtimeOptions {
  if (typeof raw !== 'object' || raw === null) throw check.fail('options', 'an object', raw);
  const path = check.text('path', raw.path, '/realtime', /^\//, 'a string starting with "/"');
  const authenticate = check.callback('authenticate', raw.authenticate, '(request) => {clientId, claims?}');
  const heartbeatRaw = check.section('heartbeat', raw.heartbeat);
  const presenceRaw = check.section('presence', raw.presence);
  const cleanupRaw = check.section('cleanup', raw.cleanup);
  const heartbeat = resolveHeartbeat(heartbeatRaw);
  if (raw.channels !== undefined && !Array.isArray(raw.channels)) {
    throw check.fail('channels', 'an array of channel rules', raw.channels);
  }
  const engine = raw.engine ?? new MemoryEngine();
  if (typeof engine !== 'object' || engine === null || typeof engine.broker?.publish !== 'function') {
    throw check.fail('engine', 'a RealtimeEngine such as new MemoryEngine() or new RedisEngine({url})', engine);
  }
  const resumeRaw = check.sectionOrOff('resume', raw.resume);
  const logLevels = check.logLevels('logLevels', raw.logLevels);
  const maxFrameBytes = check.integer('maxFrameBytes', raw.maxFrameBytes, 1024 * 1024, 64);
  return {
    path,
    authenticate,
    heartbeat,
    channels: compileChannelRules((raw.channels ?? []) as ChannelRule[]),
    presence: {
      maxMetaBytes: check.integer('presence.maxMetaBytes', presenceRaw.maxMetaBytes, 2048, 1),
      maxMetaDepth: check.integer('presence.maxMetaDepth', presenceRaw.maxMetaDepth, 4, 1),
      batchMs: check.integer('presence.batchMs', presenceRaw.batchMs, 20, 0),
    },
    state: resolveState(raw.state),
    sharedState: resolveSharedState(raw.sharedState),
    cleanup: {
      interval: check.integer('cleanup.interval', cleanupRaw.interval, 1000, 1),
      batchSize: check.integer('cleanup.batchSize', cleanupRaw.batchSize, 500, 1),
      maxRetries: check.integer('cleanup.maxRetries', cleanupRaw.maxRetries, 3, 0),
    },
    maxFrameBytes,
    engine,
    resume: resumeRaw === false ? false : { ttl: check.integer('resume.ttl', resumeRaw.ttl, 120_000, 1000) },
    drain: resolveDrainOptions(raw.drain),
    hooks: resolveHooksOptions(raw.hooks),
    logLevels,
    ...resolveSecurityOptions(raw, maxFrameBytes),
  };
}
