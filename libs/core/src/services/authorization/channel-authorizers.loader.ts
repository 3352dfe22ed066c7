import { Injectable, OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { exploreDecoratedMethods } from '../../discovery';
import { SCOPED_CHANNEL_AUTHORIZER } from '../../realtime.messages';
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
    const patternsOf = (handler: Function) => this.reflector.get<string[] | undefined>(CHANNEL_AUTHORIZER_METADATA, handler);
    for (const { owner, instance, isSingleton, methods } of exploreDecoratedMethods(this.discovery, this.scanner, patternsOf)) {
      // A join must not be decided by whichever request's instance happens to exist.
      if (!isSingleton) throw new Error(SCOPED_CHANNEL_AUTHORIZER(owner, methods[0].key));
      for (const { key, handler, metadata: pattern } of methods) {
        this.authorization.register(pattern, `${owner}.${key}`, (request: ChannelAuthorizationRequest) => handler.call(instance, request));
      }
    }
  }
}
