import type { LogLevel } from '@nestjs/common';
import { ChannelRule, compileChannelRules, CompiledChannelRule } from '../services/channel/channel.options';
import { MemoryEngine } from '../engine/memory/memory.engine';
import type { RealtimeEngine } from '../engine/realtime-engine.interface';
import type { Authenticate, RealtimeModuleOptions } from './realtime-options.interface';
import { invalidOption } from './realtime-options.messages';
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
const LOG_LEVELS: LogLevel[] = ['verbose', 'debug', 'log', 'warn', 'error', 'fatal'];

function positiveInt(name: string, value: unknown, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw invalidOption(name, `an integer ≥ ${min}`, value);
  }
  return value;
}

function stringList(name: string, value: unknown, fallback: string[]): string[] {
  if (value === undefined) return [...fallback];
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string' || item.length === 0)) {
    throw invalidOption(name, 'an array of non-empty strings', value);
  }
  return [...value];
}

/** A nested options object: absent is fine (all defaults), anything but a plain object is not. */
function section<T extends object>(name: string, value: T | undefined): Partial<T> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalidOption(name, 'an object', value);
  return value;
}

function resolveState(value: RealtimeModuleOptions['state']): ResolvedRealtimeOptions['state'] {
  const raw = section('state', value);
  const states = stringList('state.states', raw.states, DEFAULT_STATES);
  const known = new Set(states);
  const member = (name: string, value: unknown, fallback: string): string => {
    const state = value === undefined ? fallback : value;
    if (typeof state !== 'string' || !known.has(state)) {
      throw invalidOption(name, `one of state.states (${states.join(', ')})`, state);
    }
    return state;
  };
  const initial = member('state.initial', raw.initial, 'connected');
  const terminal = member('state.terminal', raw.terminal, 'disconnected');
  const transitions: Record<string, string[]> = {};
  const source = raw.transitions ?? (raw.states === undefined ? DEFAULT_TRANSITIONS : {});
  if (typeof source !== 'object' || source === null || Array.isArray(source)) {
    throw invalidOption('state.transitions', 'an object of state → states', source);
  }
  for (const [from, targets] of Object.entries(source)) {
    member(`state.transitions (from "${from}")`, from, from);
    transitions[from] = stringList(`state.transitions.${from}`, targets, []).map((to) =>
      member(`state.transitions.${from}`, to, to),
    );
  }
  const clientStates = stringList('state.clientStates', raw.clientStates, ['connected', 'idle'].filter((s) => known.has(s)));
  clientStates.forEach((state) => member('state.clientStates', state, state));
  if (clientStates.includes(terminal)) {
    throw invalidOption('state.clientStates', `states other than the terminal one ("${terminal}"): closing is the server's`, clientStates);
  }
  return {
    states,
    initial,
    terminal,
    transitions,
    clientStates,
    historySize: positiveInt('state.historySize', raw.historySize, 20),
  };
}

/** Applies the defaults and checks every option; a bad option fails the bootstrap with its name. */
export function resolveRealtimeOptions(raw: RealtimeModuleOptions = {}): ResolvedRealtimeOptions {
  if (typeof raw !== 'object' || raw === null) throw invalidOption('options', 'an object', raw);
  const path = raw.path ?? '/realtime';
  if (typeof path !== 'string' || !path.startsWith('/')) throw invalidOption('path', 'a string starting with "/"', path);
  if (raw.authenticate !== undefined && typeof raw.authenticate !== 'function') {
    throw invalidOption('authenticate', 'a function (request) => {clientId, claims?}', raw.authenticate);
  }
  const heartbeatRaw = section('heartbeat', raw.heartbeat);
  const presenceRaw = section('presence', raw.presence);
  const cleanupRaw = section('cleanup', raw.cleanup);
  const heartbeat = {
    interval: positiveInt('heartbeat.interval', heartbeatRaw.interval, 25_000),
    timeout: positiveInt('heartbeat.timeout', heartbeatRaw.timeout, 60_000),
  };
  if (heartbeat.timeout <= heartbeat.interval) {
    throw invalidOption('heartbeat.timeout', `a number greater than heartbeat.interval (${heartbeat.interval})`, heartbeat.timeout);
  }
  if (raw.channels !== undefined && !Array.isArray(raw.channels)) {
    throw invalidOption('channels', 'an array of channel rules', raw.channels);
  }
  const engine = raw.engine ?? new MemoryEngine();
  if (typeof engine !== 'object' || engine === null || typeof engine.publish !== 'function') {
    throw invalidOption('engine', 'a RealtimeEngine such as new MemoryEngine() or new RedisEngine({url})', engine);
  }
  const resumeRaw = raw.resume === false ? false : section('resume', raw.resume);
  const logLevels = raw.logLevels ?? (['log', 'warn', 'error', 'fatal'] as LogLevel[]);
  if (!Array.isArray(logLevels) || logLevels.some((level) => !LOG_LEVELS.includes(level))) {
    throw invalidOption('logLevels', `an array of ${LOG_LEVELS.join(', ')}`, logLevels);
  }
  const maxFrameBytes = positiveInt('maxFrameBytes', raw.maxFrameBytes, 1024 * 1024, 64);
  return {
    path,
    authenticate: raw.authenticate,
    heartbeat,
    channels: compileChannelRules((raw.channels ?? []) as ChannelRule[]),
    presence: {
      maxMetaBytes: positiveInt('presence.maxMetaBytes', presenceRaw.maxMetaBytes, 2048),
      maxMetaDepth: positiveInt('presence.maxMetaDepth', presenceRaw.maxMetaDepth, 4),
      batchMs: positiveInt('presence.batchMs', presenceRaw.batchMs, 20, 0),
    },
    state: resolveState(raw.state),
    cleanup: {
      interval: positiveInt('cleanup.interval', cleanupRaw.interval, 1000),
      batchSize: positiveInt('cleanup.batchSize', cleanupRaw.batchSize, 500),
      maxRetries: positiveInt('cleanup.maxRetries', cleanupRaw.maxRetries, 3, 0),
    },
    maxFrameBytes,
    engine,
    resume: resumeRaw === false ? false : { ttl: positiveInt('resume.ttl', resumeRaw.ttl, 120_000, 1000) },
    logLevels,
    ...resolveSecurityOptions(raw, maxFrameBytes),
  };
}
