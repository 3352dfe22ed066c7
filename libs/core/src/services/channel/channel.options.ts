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
}

/** A channel rule: options for the channels whose name matches `pattern` (`*` matches any run of characters). */
export interface ChannelRule extends ChannelOptions {
  pattern: string;
}

export type ResolvedChannelOptions = Required<Omit<ChannelOptions, 'authorize' | 'history'>> &
  Pick<ChannelOptions, 'authorize'> & {
    /** Set when the channel keeps history. */
    history?: { size: number; ttl: number };
  };

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
  if (authorize) options.authorize = authorize;
  if (history) options.history = history;
  return options;
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
