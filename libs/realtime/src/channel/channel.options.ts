import { invalidOption } from '../options/realtime-options.messages';

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
}

/** A channel rule: options for the channels whose name matches `pattern` (`*` matches any run of characters). */
export interface ChannelRule extends ChannelOptions {
  pattern: string;
}

export type ResolvedChannelOptions = Required<Omit<ChannelOptions, 'authorize'>> & Pick<ChannelOptions, 'authorize'>;

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

type OptionFailure = (name: string, expected: string, got: unknown) => Error;

/** Checks a channel's options and applies the defaults; `at` names them in the message of `fail`. */
export function resolveChannelOptions(rule: ChannelOptions, at: string, fail: OptionFailure = invalidOption): ResolvedChannelOptions {
  if (typeof rule !== 'object' || rule === null) throw fail(at, 'an object', rule);
  if (rule.presence !== undefined && typeof rule.presence !== 'boolean') {
    throw fail(`${at}.presence`, 'a boolean', rule.presence);
  }
  if (rule.publish !== undefined && rule.publish !== 'members' && rule.publish !== 'server') {
    throw fail(`${at}.publish`, '"members" or "server"', rule.publish);
  }
  if (rule.limit !== undefined && (!Number.isInteger(rule.limit) || rule.limit < 0)) {
    throw fail(`${at}.limit`, 'an integer ≥ 0', rule.limit);
  }
  if (rule.requiredMeta !== undefined && (!Array.isArray(rule.requiredMeta) || rule.requiredMeta.some((f) => typeof f !== 'string'))) {
    throw fail(`${at}.requiredMeta`, 'an array of field names', rule.requiredMeta);
  }
  if (rule.private !== undefined && typeof rule.private !== 'boolean') {
    throw fail(`${at}.private`, 'a boolean', rule.private);
  }
  if (rule.authorize !== undefined && typeof rule.authorize !== 'function') {
    throw fail(`${at}.authorize`, 'a function ({clientId, claims, channel, meta}) => boolean', rule.authorize);
  }
  if (rule.private === false && rule.authorize) {
    throw fail(`${at}.private`, 'true or left out when the rule has an authorizer', rule.private);
  }
  const options: ResolvedChannelOptions = {
    presence: rule.presence ?? DEFAULT_CHANNEL_OPTIONS.presence,
    publish: rule.publish ?? DEFAULT_CHANNEL_OPTIONS.publish,
    limit: rule.limit ?? DEFAULT_CHANNEL_OPTIONS.limit,
    requiredMeta: [...(rule.requiredMeta ?? [])],
    private: rule.private ?? rule.authorize !== undefined,
  };
  if (rule.authorize) options.authorize = rule.authorize;
  return options;
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
