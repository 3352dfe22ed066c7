import { invalidOption } from '../options/realtime-options.messages';

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
}

/** A channel rule: options for the channels whose name matches `pattern` (`*` matches any run of characters). */
export interface ChannelRule extends ChannelOptions {
  pattern: string;
}

export type ResolvedChannelOptions = Required<ChannelOptions>;

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
}) as ResolvedChannelOptions;

/** Compiles a channel pattern (`*` matches any run of characters) to a RegExp. */
export function compilePattern(pattern: string): RegExp {
  const escaped = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('.*')}$`);
}

export function compileChannelRules(rules: ChannelRule[]): CompiledChannelRule[] {
  return rules.map((rule, index) => {
    const at = `channels[${index}]`;
    if (typeof rule !== 'object' || rule === null) throw invalidOption(at, 'an object with a pattern', rule);
    if (typeof rule.pattern !== 'string' || rule.pattern.length === 0) {
      throw invalidOption(`${at}.pattern`, 'a non-empty string such as "room:*"', rule.pattern);
    }
    if (rule.presence !== undefined && typeof rule.presence !== 'boolean') {
      throw invalidOption(`${at}.presence`, 'a boolean', rule.presence);
    }
    if (rule.publish !== undefined && rule.publish !== 'members' && rule.publish !== 'server') {
      throw invalidOption(`${at}.publish`, '"members" or "server"', rule.publish);
    }
    if (rule.limit !== undefined && (!Number.isInteger(rule.limit) || rule.limit < 0)) {
      throw invalidOption(`${at}.limit`, 'an integer ≥ 0', rule.limit);
    }
    if (rule.requiredMeta !== undefined && (!Array.isArray(rule.requiredMeta) || rule.requiredMeta.some((f) => typeof f !== 'string'))) {
      throw invalidOption(`${at}.requiredMeta`, 'an array of field names', rule.requiredMeta);
    }
    return {
      pattern: rule.pattern,
      matcher: compilePattern(rule.pattern),
      options: {
        presence: rule.presence ?? DEFAULT_CHANNEL_OPTIONS.presence,
        publish: rule.publish ?? DEFAULT_CHANNEL_OPTIONS.publish,
        limit: rule.limit ?? DEFAULT_CHANNEL_OPTIONS.limit,
        requiredMeta: [...(rule.requiredMeta ?? [])],
      },
    };
  });
}

const CHANNEL_NAME = /^[\x21-\x7e]{1,200}$/;

/** Channel names: 1 to 200 printable ASCII characters, no spaces. */
export function isValidChannelName(name: unknown): name is string {
  return typeof name === 'string' && CHANNEL_NAME.test(name);
}
