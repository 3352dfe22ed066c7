import { Injectable, OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import type { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper';
import type { ChannelAuthorizationRequest } from '../channel/channel.options';
import { ChannelAuthorization } from './channel-authorization.service';
import { CHANNEL_AUTHORIZER_METADATA } from './channel-authorizer.decorator';

/**
 * Finds the `@ChannelAuthorizer` methods of every provider and controller at module init, before any
 * connection can join, and registers them.
 */
@Injectable()
export class ChannelAuthorizersLoader implements OnModuleInit {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    private readonly authorization: ChannelAuthorization,
  ) {}

  onModuleInit(): void {
    const seen = new Set<object>();
    for (const wrapper of [...this.discovery.getProviders(), ...this.discovery.getControllers()]) this.load(wrapper, seen);
  }

  private load(wrapper: InstanceWrapper, seen: Set<object>): void {
    const instance: unknown = wrapper.instance;
    if (typeof instance !== 'object' || instance === null || wrapper.isAlias || seen.has(instance)) return;
    seen.add(instance);
    const prototype: Record<string, Function> = Object.getPrototypeOf(instance);
    for (const method of this.scanner.getAllMethodNames(prototype)) {
      const patterns = this.reflector.get<string[] | undefined>(CHANNEL_AUTHORIZER_METADATA, prototype[method]);
      if (!patterns) continue;
      const owner = instance.constructor?.name ?? String(wrapper.name);
      if (!wrapper.isDependencyTreeStatic() || wrapper.isTransient) {
        throw new Error(`${owner}.${method} is a @ChannelAuthorizer on a request-scoped or transient provider; make the provider a singleton.`);
      }
      const handler = prototype[method];
      for (const pattern of patterns) {
        this.authorization.register(pattern, `${owner}.${method}`, (request: ChannelAuthorizationRequest) => handler.call(instance, request));
      }
    }
  }
}
