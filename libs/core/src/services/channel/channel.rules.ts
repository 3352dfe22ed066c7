import { Inject, Injectable } from '@nestjs/common';
import type { ResolvedRealtimeOptions } from '../../options/realtime-options.resolver';
import { REALTIME_OPTIONS } from '../../realtime.constants';
import { CompiledChannelRule, DEFAULT_CHANNEL_OPTIONS, ResolvedChannelOptions } from './channel.options';

const CACHE_LIMIT = 10_000;

/** Resolves a channel's options from the configured rules: the first matching pattern wins. */
@Injectable()
export class ChannelRules {
  private readonly cache = new Map<string, ResolvedChannelOptions>();
  /** Single channels created at runtime (temporary channels), with their time to live; they win over the patterns. */
  private readonly defined = new Map<string, { options: ResolvedChannelOptions; ttl: number }>();

  /** Rules checked after the application's (see `ChannelService.addDefaultRules`). */
  private defaults: CompiledChannelRule[] = [];

  constructor(@Inject(REALTIME_OPTIONS) private readonly options: ResolvedRealtimeOptions) {}

  addDefaults(rules: CompiledChannelRule[]): void {
    this.defaults = [...this.defaults, ...rules];
    this.cache.clear();
  }

  define(channel: string, options: ResolvedChannelOptions, ttl: number): void {
    this.defined.set(channel, { options, ttl });
    this.cache.delete(channel);
  }

  /** The temporary channels and their time to live. */
  temporary(): IterableIterator<[string, { ttl: number }]> {
    return this.defined.entries();
  }

  undefine(channel: string): void {
    this.defined.delete(channel);
    this.cache.delete(channel);
  }

  resolve(channel: string): ResolvedChannelOptions {
    const defined = this.defined.get(channel);
    if (defined) return defined.options;
    let resolved = this.cache.get(channel);
    if (resolved) return resolved;
    const matches = (rule: CompiledChannelRule) => rule.matcher.test(channel);
    resolved = (this.options.channels.find(matches) ?? this.defaults.find(matches))?.options ?? DEFAULT_CHANNEL_OPTIONS;
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(channel, resolved);
    return resolved;
  }
}
