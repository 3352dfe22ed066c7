import { Inject, Injectable } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { exploreDecoratedMethods } from '../discovery';
import { RealtimeLogger } from '../logging/realtime.logger';
import type { ResolvedRealtimeOptions } from '../options/realtime-options.resolver';
import { REALTIME_OPTIONS } from '../realtime.constants';
import { SCOPED_HOOKS_IGNORED } from '../realtime.messages';
import type { HookMetadata } from './hook-options.interface';
import { RealtimeHooksMetadataAccessor } from './hooks-metadata.accessor';

/** A hook method found on a provider or controller, bound to its instance. */
export interface DiscoveredHook {
  /** `Class.method`, for logs. */
  readonly name: string;
  /** What one of its decorators recorded; a method with several decorators is found once per decorator. */
  readonly metadata: HookMetadata;
  run(event: unknown): unknown;
}

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

/** Finds the hook methods of every provider and controller; the runner subscribes them. */
@Injectable()
export class RealtimeHooksExplorer {
  private readonly logger: RealtimeLogger;

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly metadata: RealtimeHooksMetadataAccessor,
    @Inject(REALTIME_OPTIONS) options: ResolvedRealtimeOptions,
  ) {
    this.logger = new RealtimeLogger('RealtimeHooks', options.logLevels);
  }

  /** The hooks in discovery order: providers, then controllers, each class's methods in order. */
  explore(): DiscoveredHook[] {
    const hooks: DiscoveredHook[] = [];
    const found = exploreDecoratedMethods(this.discovery, this.scanner, (handler) => this.metadata.getHooks(handler));
    for (const { owner, instance, isSingleton, methods } of found) {
      if (!isSingleton) {
        // There is no single instance to call: one exists per request or per consumer.
        this.logger.warn(SCOPED_HOOKS_IGNORED(owner));
        continue;
      }
      for (const { key, handler, metadata } of methods) {
        const name = `${owner}.${key}`;
        hooks.push({ name, metadata, run: (event) => handler.call(instance, event) });
        this.logger.verbose(`${describeBinding(metadata)} → ${name}`);
      }
    }
    return hooks;
  }
}
