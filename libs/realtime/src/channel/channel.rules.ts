import { Inject, Injectable } from '@nestjs/common';
import type { ResolvedRealtimeOptions } from '../options/realtime-options.resolver';
import { REALTIME_OPTIONS } from '../realtime.constants';
import { DEFAULT_CHANNEL_OPTIONS, ResolvedChannelOptions } from './channel.options';

const CACHE_LIMIT = 10_000;

/** Resolves a channel's options from the configured rules: the first matching pattern wins. */
@Injectable()
export class ChannelRules {
  private readonly cache = new Map<string, ResolvedChannelOptions>();

  constructor(@Inject(REALTIME_OPTIONS) private readonly options: ResolvedRealtimeOptions) {}

  resolve(channel: string): ResolvedChannelOptions {
    let resolved = this.cache.get(channel);
    if (resolved) return resolved;
    resolved = this.options.channels.find((rule) => rule.matcher.test(channel))?.options ?? DEFAULT_CHANNEL_OPTIONS;
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(channel, resolved);
    return resolved;
  }
}
