import type { LogLevel } from '@nestjs/common';
import { ChannelRule, compileChannelRules, CompiledChannelRule } from '../services/channel/channel.options';
import { MemoryEngine } from '../engine/memory/memory.engine';
import type { RealtimeEngine } from '../engine/realtime-engine.interface';
import type { Authenticate, RealtimeModuleOptions } from './realtime-options.interface';
import { moduleOptionChecks as check } from './option.checks';
import { resolveDrainOptions, ResolvedDrainOptions } from './drain-options.resolver';
import { resolveSecurityOptions, ResolvedSecurityOptions } from './security-options.resolver';

/** Options with every default applied and every value checked. */
export interface ResolvedRealtimeOptions extends ResolvedSecurityOptions {
  path: string;
  authenticate?: Authenticate;
  heartbeat: { interval: number; timeout: number };
  channels: CompiledChannelRule[];
  presence: { maxMetaBytes: number; maxMetaDepth: number; batchMs: number };
  state: {
    states: string[];
    initial: string;
    terminal: string;
    transitions: Record<string, string[]>;
    clientStates: string[];
    historySize: number;
  };
  cleanup: { interval: number; batchSize: number; maxRetries: number };
  maxFrameBytes: number;
  engine: RealtimeEngine;
  /** false: no resume. */
  resume: { ttl: number } | false;
  drain: ResolvedDrainOptions;
  logLevels: LogLevel[];
}

export const DEFAULT_STATES = ['connected', 'idle', 'reconnecting', 'disconnected', 'error'];
export const DEFAULT_TRANSITIONS: Record<string, string[]> = {
  connected: ['idle', 'reconnecting', 'disconnected', 'error'],
  idle: ['connected', 'reconnecting', 'disconnected', 'error'],
  reconnecting: ['connected', 'disconnected', 'error'],
  error: ['reconnecting', 'disconnected'],
  disconnected: [],
};
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
  };
}

/** Applies the defaults and checks every option; a bad option fails the bootstrap with its name. */
export function resolveRealtimeOptions(raw: RealtimeModuleOptions = {}): ResolvedRealtimeOptions {
  if (typeof raw !== 'object' || raw === null) throw check.fail('options', 'an object', raw);
  const path = check.text('path', raw.path, '/realtime', /^\//, 'a string starting with "/"');
  const authenticate = check.callback('authenticate', raw.authenticate, '(request) => {clientId, claims?}');
  const heartbeatRaw = check.section('heartbeat', raw.heartbeat);
  const presenceRaw = check.section('presence', raw.presence);
  const cleanupRaw = check.section('cleanup', raw.cleanup);
  const heartbeat = {
    interval: check.integer('heartbeat.interval', heartbeatRaw.interval, 25_000, 1),
    timeout: check.integer('heartbeat.timeout', heartbeatRaw.timeout, 60_000, 1),
  };
  if (heartbeat.timeout <= heartbeat.interval) {
    throw check.fail('heartbeat.timeout', `a number greater than heartbeat.interval (${heartbeat.interval})`, heartbeat.timeout);
  }
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
    cleanup: {
      interval: check.integer('cleanup.interval', cleanupRaw.interval, 1000, 1),
      batchSize: check.integer('cleanup.batchSize', cleanupRaw.batchSize, 500, 1),
      maxRetries: check.integer('cleanup.maxRetries', cleanupRaw.maxRetries, 3, 0),
    },
    maxFrameBytes,
    engine,
    resume: resumeRaw === false ? false : { ttl: check.integer('resume.ttl', resumeRaw.ttl, 120_000, 1000) },
    drain: resolveDrainOptions(raw.drain),
    logLevels,
    ...resolveSecurityOptions(raw, maxFrameBytes),
  };
}
