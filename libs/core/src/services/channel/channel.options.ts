import { invalidOption, OptionChecks, OptionFailure } from '../../options/option.checks';
import { AN_OBJECT } from '../../realtime.messages';

/** What a channel authorizer is asked about: who wants to join which channel, with which meta. */
export interface ChannelAuthorizationRequest {
  connectionId: string;
  clientId: string;
  claims: Record<string, unknown>;
  channel: string;
  meta: Record<string, unknown>;
}

/**
 * Decides whether a connection may join a private channel: `true` lets it in; anything else, or a
 * throw, refuses it with `forbidden` (a thrown `RealtimeException` is answered as it is).
 */
export type ChannelAuthorizeFn = (request: ChannelAuthorizationRequest) => boolean | Promise<boolean>;

/** How much history a channel keeps, for resume (`connection:resume`) and offsets in `channel:message`. */
export interface ChannelHistoryOptions {
  /** Most messages kept. Default `100`. */
  size?: number;
  /** ms a message is kept. Default `300000` (5 minutes). */
  ttl?: number;
}

/** How channels whose name matches a rule behave. */
export interface ChannelOptions {
  /** Members are tracked in presence, with their join meta. Default `false`. */
  presence?: boolean;
  /** Who may publish: `'members'` (any member) or `'server'` (only server code). Default `'members'`. */
  publish?: 'members' | 'server';
  /** Most members at once; `0` is no limit. Default `0`. */
  limit?: number;
  /** Fields every presence meta must carry in these channels. Default `[]`. */
  requiredMeta?: string[];
  /**
   * Joining needs an authorizer's yes (`authorize`, or a `@ChannelAuthorizer` whose pattern matches); a
   * private channel without one refuses every join. Default `false` (`true` when `authorize` is set).
   */
  private?: boolean;
  /** The authorizer of these channels; makes them private. Default: none. */
  authorize?: ChannelAuthorizeFn;
  /**
   * Keep the last messages: each `channel:message` then carries its `offset` and `epoch`, and a client
   * that reconnects within the window gets what it missed (`connection:resume`). `true` for the defaults
   * of `ChannelHistoryOptions`. Default: none (no history, no offsets).
   */
  history?: ChannelHistoryOptions | boolean;
  /** Presence statuses with timeouts (needs `presence`). Default: none (no `status` in metas). */
  statuses?: PresenceStatusOptions;
  /** A shared state; `true` for the defaults of `ChannelStateOptions`. Default: none. */
  state?: ChannelStateOptions | boolean;
}

/** Moves a member whose connection shows no activity for `after` ms from one of the `from` statuses to `to`. */
export interface PresenceStatusTimeout {
  /** The statuses it applies to: a member in any other (one it chose, like `busy`) stays. */
  from: string[];
  to: string;
  /** ms without activity (frames other than heartbeat: pongs and `connection:ping` do not count). */
  after: number;
}

/**
 * Presence statuses of a channel's members, kept in each meta as `status`. A member joins in `initial`;
 * a timeout moves it on, and its next activity brings it back to `initial` (reason `activity`).
 */
export interface PresenceStatusOptions {
  /** Every status a member may be in, e.g. `['online', 'away', 'busy']`. Required. */
  statuses: string[];
  /** A new member's status. Default: the first of `statuses`. */
  initial?: string;
  /** The statuses a client may set itself (`presence:update` with a `status`). Default: all of them. */
  settable?: string[];
  /** Automatic moves on inactivity. Default `[]`. */
  timeouts?: PresenceStatusTimeout[];
}

/** What a state-write authorizer is asked about: who writes which key of which channel's state. */
export interface StateWriteRequest {
  connectionId: string;
  clientId: string;
  claims: Record<string, unknown>;
  channel: string;
  key: string;
  /** The value to set; undefined for a delete. */
  value?: unknown;
}

/** Decides whether a member may write a key: `true` allows it; anything else, or a throw, refuses it with `forbidden`. */
export type StateWriteAuthorizer = (request: StateWriteRequest) => boolean | Promise<boolean>;

/** A channel's shared state: a map of keys to JSON values the server keeps in step on every member. */
export interface ChannelStateOptions {
  /**
   * Who may write it: `'members'` (any member, with `state:set`/`state:delete`), `'server'` (only server
   * code, through `SharedStateService`), or a function deciding per member and key. Default `'server'`.
   */
  write?: 'members' | 'server' | StateWriteAuthorizer;
  /**
   * Members also get the state of every ancestor scope (`org:acme` for `org:acme/team:web`, split on
   * `state.separator`), each under its own `scope`; the nearest scope wins where keys meet. Default `false`.
   */
  inherit?: boolean;
  /** Most keys the state holds. Default `1000`. */
  maxKeys?: number;
  /** How many last changes are kept, so a resumed client gets exactly what it missed. Default `100`. */
  log?: number;
}

/** A channel rule: options for the channels whose name matches `pattern` (`*` matches any run of characters). */
export interface ChannelRule extends ChannelOptions {
  pattern: string;
}

export interface ResolvedPresenceStatuses {
  statuses: string[];
  initial: string;
  settable: string[];
  timeouts: PresenceStatusTimeout[];
}

export interface ResolvedChannelState {
  write: 'members' | 'server' | StateWriteAuthorizer;
  inherit: boolean;
  maxKeys: number;
  log: number;
}

export type ResolvedChannelOptions = Required<Omit<ChannelOptions, 'authorize' | 'history' | 'statuses' | 'state'>> &
  Pick<ChannelOptions, 'authorize'> & {
    /** Set when the channel keeps history. */
    history?: { size: number; ttl: number };
    /** Set when members have presence statuses. */
    statuses?: ResolvedPresenceStatuses;
    /** Set when the channel keeps a shared state. */
    state?: ResolvedChannelState;
  };

export const DEFAULT_CHANNEL_STATE = Object.freeze({ write: 'server', inherit: false, maxKeys: 1000, log: 100 }) as Readonly<ResolvedChannelState>;
const MAX_STATE_KEYS = 100_000;
const MAX_STATE_LOG = 10_000;

export const DEFAULT_HISTORY = Object.freeze({ size: 100, ttl: 300_000 });
/** Bounds that keep one channel's history from taking a node's memory or a Redis stream's. */
const MAX_HISTORY_SIZE = 100_000;

export interface CompiledChannelRule {
  pattern: string;
  matcher: RegExp;
  options: ResolvedChannelOptions;
}

export const DEFAULT_CHANNEL_OPTIONS: ResolvedChannelOptions = Object.freeze({
  presence: false,
  publish: 'members',
  limit: 0,
  requiredMeta: [],
  private: false,
}) as ResolvedChannelOptions;

/** Compiles a channel pattern (`*` matches any run of characters) to a RegExp. */
export function compilePattern(pattern: string): RegExp {
  const escaped = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('.*')}$`);
}

const PUBLISHERS = ['members', 'server'] as const;

/** Checks a channel's options and applies the defaults; `at` names them in the message of `fail`. */
export function resolveChannelOptions(rule: ChannelOptions, at: string, fail: OptionFailure = invalidOption): ResolvedChannelOptions {
  const check = new OptionChecks(fail);
  if (typeof rule !== 'object' || rule === null) throw fail(at, AN_OBJECT(), rule);
  const authorize = check.callback(`${at}.authorize`, rule.authorize, '({clientId, claims, channel, meta}) => boolean');
  if (rule.private === false && authorize) {
    throw fail(`${at}.private`, 'true or left out when the rule has an authorizer', rule.private);
  }
  const options: ResolvedChannelOptions = {
    presence: check.boolean(`${at}.presence`, rule.presence, DEFAULT_CHANNEL_OPTIONS.presence),
    publish: check.oneOf(`${at}.publish`, rule.publish, PUBLISHERS, DEFAULT_CHANNEL_OPTIONS.publish),
    limit: check.integer(`${at}.limit`, rule.limit, DEFAULT_CHANNEL_OPTIONS.limit, 0),
    requiredMeta: check.stringList(`${at}.requiredMeta`, rule.requiredMeta, DEFAULT_CHANNEL_OPTIONS.requiredMeta),
    private: check.boolean(`${at}.private`, rule.private, authorize !== undefined),
  };
  const history = resolveHistory(rule.history, `${at}.history`, check);
  const statuses = resolveStatuses(rule.statuses, `${at}.statuses`, check);
  if (statuses && !options.presence) throw fail(`${at}.presence`, 'true when the rule has statuses', rule.presence);
  const state = resolveState(rule.state, `${at}.state`, check);
  if (authorize) options.authorize = authorize;
  if (history) options.history = history;
  if (statuses) options.statuses = statuses;
  if (state) options.state = state;
  return options;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function resolveStatuses(raw: ChannelOptions['statuses'], at: string, check: OptionChecks): ResolvedPresenceStatuses | undefined {
  if (raw === undefined) return undefined;
  if (!isPlainObject(raw)) throw check.fail(at, '{statuses, initial?, settable?, timeouts?}', raw);
  const statuses = check.stringList(`${at}.statuses`, raw.statuses, []);
  if (statuses.length === 0 || new Set(statuses).size !== statuses.length) {
    throw check.fail(`${at}.statuses`, 'a non-empty list of distinct statuses', raw.statuses);
  }
  const initial = check.oneOf(`${at}.initial`, raw.initial, statuses, statuses[0]);
  const settable = check.stringList(`${at}.settable`, raw.settable, statuses);
  for (const [index, status] of settable.entries()) check.oneOf(`${at}.settable[${index}]`, status, statuses);
  if (raw.timeouts !== undefined && !Array.isArray(raw.timeouts)) throw check.fail(`${at}.timeouts`, 'a list of {from, to, after}', raw.timeouts);
  const timeouts = (raw.timeouts ?? []).map((timeout: unknown, index: number) => {
    const name = `${at}.timeouts[${index}]`;
    if (!isPlainObject(timeout)) throw check.fail(name, '{from: string[], to, after}', timeout);
    const from = check.stringList(`${name}.from`, timeout.from, []);
    if (from.length === 0) throw check.fail(`${name}.from`, 'a non-empty list of statuses', timeout.from);
    for (const [position, status] of from.entries()) check.oneOf(`${name}.from[${position}]`, status, statuses);
    const to = check.oneOf(`${name}.to`, timeout.to, statuses);
    if (from.includes(to)) throw check.fail(`${name}.to`, 'a status outside `from`', timeout.to);
    return { from, to, after: check.integer(`${name}.after`, timeout.after, -1, 1) };
  });
  for (const [index, timeout] of timeouts.entries()) {
    if (timeout.after < 0) throw check.fail(`${at}.timeouts[${index}].after`, 'an integer number of ms ≥ 1', undefined);
  }
  return { statuses, initial, settable, timeouts };
}

function resolveState(raw: ChannelOptions['state'], at: string, check: OptionChecks): ResolvedChannelState | undefined {
  if (raw === undefined || raw === false) return undefined;
  if (raw === true) return { ...DEFAULT_CHANNEL_STATE };
  if (!isPlainObject(raw)) throw check.fail(at, 'true, false or {write?, inherit?, maxKeys?, log?}', raw);
  const write =
    typeof raw.write === 'function'
      ? (raw.write as StateWriteAuthorizer)
      : check.oneOf(`${at}.write`, raw.write, ['members', 'server'] as const, DEFAULT_CHANNEL_STATE.write as 'server');
  return {
    write,
    inherit: check.boolean(`${at}.inherit`, raw.inherit, DEFAULT_CHANNEL_STATE.inherit),
    maxKeys: check.integer(`${at}.maxKeys`, raw.maxKeys, DEFAULT_CHANNEL_STATE.maxKeys, 1, MAX_STATE_KEYS),
    log: check.integer(`${at}.log`, raw.log, DEFAULT_CHANNEL_STATE.log, 0, MAX_STATE_LOG),
  };
}

function resolveHistory(raw: ChannelOptions['history'], at: string, check: OptionChecks): ResolvedChannelOptions['history'] {
  if (raw === undefined || raw === false) return undefined;
  if (raw === true) return { ...DEFAULT_HISTORY };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw check.fail(at, 'true, false or {size?, ttl?}', raw);
  return {
    size: check.integer(`${at}.size`, raw.size, DEFAULT_HISTORY.size, 1, MAX_HISTORY_SIZE),
    ttl: check.integer(`${at}.ttl`, raw.ttl, DEFAULT_HISTORY.ttl, 1),
  };
}

export function compileChannelRules(rules: ChannelRule[]): CompiledChannelRule[] {
  return rules.map((rule, index) => {
    const at = `channels[${index}]`;
    if (typeof rule !== 'object' || rule === null) throw invalidOption(at, 'an object with a pattern', rule);
    if (typeof rule.pattern !== 'string' || rule.pattern.length === 0) {
      throw invalidOption(`${at}.pattern`, 'a non-empty string such as "room:*"', rule.pattern);
    }
    return { pattern: rule.pattern, matcher: compilePattern(rule.pattern), options: resolveChannelOptions(rule, at) };
  });
}

const CHANNEL_NAME = /^[\x21-\x7e]{1,200}$/;

/** Channel names: 1 to 200 printable ASCII characters, no spaces. */
export function isValidChannelName(name: unknown): name is string {
  return typeof name === 'string' && CHANNEL_NAME.test(name);
}
