import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Observable, Subscription } from 'rxjs';
import { RealtimeLogger } from '../logging/realtime.logger';
import type { ResolvedRealtimeOptions } from '../options/realtime-options.resolver';
import { REALTIME_OPTIONS } from '../realtime.constants';
import { compilePattern } from '../services/channel/channel.options';
import { ChannelService } from '../services/channel/channel.service';
import { ConnectionStateService } from '../services/connection/connection-state.service';
import { ConnectionService } from '../services/connection/connection.service';
import { PresenceService } from '../services/presence/presence.service';
import { BoundHook, HookChain } from './hook.chain';
import { DiscoveredHook, RealtimeHooksExplorer } from './hooks.explorer';
import type { ChannelEvent, ConnectionEvent, ConnectionStateChange, PresenceEvent } from './realtime-events';

type HookBase = Pick<BoundHook<unknown>, 'name' | 'priority' | 'run'>;

function inChannel(type: string, pattern: string | undefined) {
  const matcher = pattern === undefined ? undefined : compilePattern(pattern);
  return (event: { type: string; channel: string }) => event.type === type && (matcher === undefined || matcher.test(event.channel));
}

/**
 * Runs the hooks the explorer finds on the services' event streams, from the application's bootstrap to
 * its shutdown: one queue per stream (`connection$`, `connectionState$`, `presence$`, `channel$`, `message$`),
 * so that the events of a stream keep their order (a connection's open before its close, a join before its
 * leave) while a slow hook holds up its own stream only.
 */
@Injectable()
export class RealtimeHooksRunner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly connectionHooks: HookChain<ConnectionEvent>;
  private readonly stateHooks: HookChain<ConnectionStateChange>;
  private readonly presenceHooks: HookChain<PresenceEvent>;
  private readonly channelHooks: HookChain<ChannelEvent>;
  private readonly messageHooks: HookChain<ChannelEvent>;
  private readonly subscription = new Subscription();

  constructor(
    private readonly explorer: RealtimeHooksExplorer,
    private readonly connections: ConnectionService,
    private readonly connectionStates: ConnectionStateService,
    private readonly presence: PresenceService,
    private readonly channels: ChannelService,
    @Inject(REALTIME_OPTIONS) options: ResolvedRealtimeOptions,
  ) {
    const log = new RealtimeLogger('RealtimeHooks', options.logLevels);
    const queue = options.hooks;
    this.connectionHooks = new HookChain('connection$', (e) => `connection ${e.type} of ${e.connectionId}`, log, queue);
    this.stateHooks = new HookChain(
      'connectionState$',
      (e) => `connection state change ${e.from ?? 'none'} → ${e.to} of ${e.connectionId}`,
      log,
      queue,
    );
    this.presenceHooks = new HookChain('presence$', (e) => `presence ${e.type} of ${e.clientId} in "${e.channel}"`, log, queue);
    this.channelHooks = new HookChain('channel$', (e) => `channel ${e.type} in "${e.channel}"`, log, queue);
    this.messageHooks = new HookChain('message$', (e) => `channel message in "${e.channel}"`, log, queue);
  }

  private get chains(): Array<Pick<HookChain<unknown>, 'stream' | 'depth' | 'dropped' | 'timer' | 'stop'>> {
    return [this.connectionHooks, this.stateHooks, this.presenceHooks, this.channelHooks, this.messageHooks];
  }

  onApplicationBootstrap(): void {
    for (const hook of this.explorer.explore()) this.bind(hook);
    // One subscription per stream that has hooks, however many hooks it has.
    this.listen(this.connectionHooks, this.connections.connection$);
    this.listen(this.stateHooks, this.connectionStates.connectionState$);
    this.listen(this.presenceHooks, this.presence.presence$);
    this.listen(this.channelHooks, this.channels.channel$);
    this.listen(this.messageHooks, this.channels.message$);
  }

  onApplicationShutdown(): void {
    this.subscription.unsubscribe();
    for (const chain of this.chains) chain.stop();
  }

  /** @internal For `RealtimeMetricsModule`: times every hook run, told with its stream (`presence$`…). */
  timeHooks(observe: (stream: string, hook: string, seconds: number) => void): void {
    for (const chain of this.chains) {
      chain.timer = (hook, seconds) => observe(chain.stream, hook, seconds);
    }
  }

  /** @internal For `RealtimeMetricsModule`: each stream's queue, the events waiting in it and those it dropped. */
  queues(): Array<{ queue: string; depth: number; dropped: number }> {
    return this.chains.map((chain) => ({ queue: chain.stream, depth: chain.depth, dropped: chain.dropped }));
  }

  private listen<E>(chain: HookChain<E>, source: Observable<E>): void {
    if (chain.size > 0) this.subscription.add(chain.listen(source));
  }

  private bind({ name, metadata, run }: DiscoveredHook): void {
    const hook: HookBase = { name, priority: metadata.options.priority ?? 0, run };
    switch (metadata.kind) {
      case 'connection': {
        const { type, options } = metadata;
        return this.connectionHooks.add({ ...hook, filter: options.filter, matches: (e) => e.type === type });
      }
      case 'connection-state': {
        const { match, options } = metadata;
        const matches = (e: ConnectionStateChange) =>
          (match.from === undefined || e.from === match.from) && (match.to === undefined || e.to === match.to);
        return this.stateHooks.add({ ...hook, filter: options.filter, matches });
      }
      case 'presence': {
        const { type, pattern, options } = metadata;
        return this.presenceHooks.add({ ...hook, filter: options.filter, matches: inChannel(type, pattern) });
      }
      case 'channel': {
        const { type, pattern, options } = metadata;
        const chain = type === 'message' ? this.messageHooks : this.channelHooks;
        return chain.add({ ...hook, filter: options.filter, matches: inChannel(type, pattern) });
      }
    }
  }
}
