import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import type { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper';
import { Observable, Subscription } from 'rxjs';
import { compilePattern } from '../services/channel/channel.options';
import { ChannelService } from '../services/channel/channel.service';
import { ConnectionService } from '../services/connection/connection.service';
import { ConnectionStateService } from '../services/connection/connection-state.service';
import { RealtimeLogger } from '../logging/realtime.logger';
import type { ResolvedRealtimeOptions } from '../options/realtime-options.resolver';
import { PresenceService } from '../services/presence/presence.service';
import { REALTIME_OPTIONS } from '../realtime.constants';
import type { HookMetadata } from './hook-options.interface';
import { RealtimeHooksMetadataAccessor } from './hooks-metadata.accessor';
import type { ChannelEvent, ConnectionEvent, ConnectionStateChange, PresenceEvent } from './realtime-events';

/** A hook method bound to its instance. */
interface BoundHook<E> {
  /** `Class.method`, for logs. */
  readonly name: string;
  readonly priority: number;
  /** What the decorator asked for: event type, channel pattern, states. */
  matches(event: E): boolean;
  readonly filter?: (event: E) => boolean;
  run(event: E): unknown;
}

/** The hooks of one stream: for each event, the matching ones run one after the other, each failure contained. */
class HookChain<E> {
  private readonly hooks: BoundHook<E>[] = [];

  constructor(
    private readonly stream: string,
    private readonly describe: (event: E) => string,
    private readonly logger: RealtimeLogger,
  ) {}

  get size(): number {
    return this.hooks.length;
  }

  add(hook: BoundHook<E>): void {
    // After every hook of equal or higher priority, so that ties keep discovery order.
    const at = this.hooks.findIndex((other) => other.priority < hook.priority);
    this.hooks.splice(at === -1 ? this.hooks.length : at, 0, hook);
  }

  listen(source: Observable<E>): Subscription {
    return source.subscribe({
      next: (event) => void this.run(event),
      // Without a handler RxJS rethrows asynchronously and takes the process down.
      error: (error) => this.logger.error(`The ${this.stream} stream failed; its hooks no longer run`, error),
    });
  }

  /** Events are independent: a slow hook delays the later hooks of its own event only. */
  private async run(event: E): Promise<void> {
    for (const hook of this.hooks) {
      if (!hook.matches(event)) continue;
      try {
        if (hook.filter && !hook.filter(event)) continue;
        await hook.run(event);
      } catch (error) {
        this.logger.error(`Hook ${hook.name} failed on ${this.describe(event)}`, error);
      }
    }
  }
}

type HookBase = Pick<BoundHook<unknown>, 'name' | 'priority' | 'run'>;

function describeBinding(metadata: HookMetadata): string {
  const args = (...values: (string | undefined)[]) =>
    values.filter((value) => value !== undefined).map((value) => `'${value}'`).join(', ');
  switch (metadata.kind) {
    case 'connection':
      return `@OnConnection(${args(metadata.type)})`;
    case 'connection-state':
      return `@OnConnectionState({ from: ${metadata.match.from ?? 'any'}, to: ${metadata.match.to ?? 'any'} })`;
    case 'presence':
      return `@OnPresence(${args(metadata.type, metadata.pattern)})`;
    case 'channel':
      return `@OnChannel(${args(metadata.type, metadata.pattern)})`;
  }
}

function inChannel(type: string, pattern: string | undefined) {
  const matcher = pattern === undefined ? undefined : compilePattern(pattern);
  return (event: { type: string; channel: string }) => event.type === type && (matcher === undefined || matcher.test(event.channel));
}

/**
 * Finds the hook methods of every provider and controller once the application has bootstrapped, and runs
 * them on the services' event streams until shutdown.
 */
@Injectable()
export class RealtimeHooksLoader implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger: RealtimeLogger;
  private readonly connectionHooks: HookChain<ConnectionEvent>;
  private readonly stateHooks: HookChain<ConnectionStateChange>;
  private readonly presenceHooks: HookChain<PresenceEvent>;
  private readonly channelHooks: HookChain<ChannelEvent>;
  private readonly messageHooks: HookChain<ChannelEvent>;
  private readonly subscription = new Subscription();

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly metadata: RealtimeHooksMetadataAccessor,
    private readonly connections: ConnectionService,
    private readonly connectionStates: ConnectionStateService,
    private readonly presence: PresenceService,
    private readonly channels: ChannelService,
    @Inject(REALTIME_OPTIONS) options: ResolvedRealtimeOptions,
  ) {
    this.logger = new RealtimeLogger('RealtimeHooks', options.logLevels);
    const log = this.logger;
    this.connectionHooks = new HookChain('connection$', (e) => `connection ${e.type} of ${e.connectionId}`, log);
    this.stateHooks = new HookChain(
      'connectionState$',
      (e) => `connection state change ${e.from ?? 'none'} → ${e.to} of ${e.connectionId}`,
      log,
    );
    this.presenceHooks = new HookChain('presence$', (e) => `presence ${e.type} of ${e.clientId} in "${e.channel}"`, log);
    this.channelHooks = new HookChain('channel$', (e) => `channel ${e.type} in "${e.channel}"`, log);
    this.messageHooks = new HookChain('message$', (e) => `channel message in "${e.channel}"`, log);
  }

  onApplicationBootstrap(): void {
    const seen = new Set<object>();
    for (const wrapper of [...this.discovery.getProviders(), ...this.discovery.getControllers()]) {
      this.load(wrapper, seen);
    }
    // One subscription per stream that has hooks, however many hooks it has.
    this.listen(this.connectionHooks, this.connections.connection$);
    this.listen(this.stateHooks, this.connectionStates.connectionState$);
    this.listen(this.presenceHooks, this.presence.presence$);
    this.listen(this.channelHooks, this.channels.channel$);
    this.listen(this.messageHooks, this.channels.message$);
  }

  onApplicationShutdown(): void {
    this.subscription.unsubscribe();
  }

  private listen<E>(chain: HookChain<E>, source: Observable<E>): void {
    if (chain.size > 0) this.subscription.add(chain.listen(source));
  }

  private load(wrapper: InstanceWrapper, seen: Set<object>): void {
    const instance: unknown = wrapper.instance;
    if (typeof instance !== 'object' || instance === null || wrapper.isAlias || seen.has(instance)) return;
    seen.add(instance);
    const prototype: Record<string, Function> = Object.getPrototypeOf(instance);
    const methods = this.scanner
      .getAllMethodNames(prototype)
      .flatMap((method) => this.metadata.getHooks(prototype[method]).map((metadata) => ({ method, metadata })));
    if (methods.length === 0) return;

    const owner = instance.constructor && instance.constructor !== Object ? instance.constructor.name : String(wrapper.name);
    if (!wrapper.isDependencyTreeStatic() || wrapper.isTransient) {
      // There is no single instance to call: one exists per request or per consumer.
      this.logger.warn(`${owner} is request-scoped or transient: its realtime hooks are ignored.`);
      return;
    }
    for (const { method, metadata } of methods) {
      const name = `${owner}.${method}`;
      const handler = prototype[method];
      this.bind(metadata, {
        name,
        priority: metadata.options.priority ?? 0,
        run: (event) => handler.call(instance, event),
      });
      this.logger.verbose(`${describeBinding(metadata)} → ${name}`);
    }
  }

  private bind(metadata: HookMetadata, hook: HookBase): void {
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
