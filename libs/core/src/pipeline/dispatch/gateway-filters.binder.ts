import { Injectable } from '@nestjs/common';
import { EXCEPTION_FILTERS_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import { GATEWAY_METADATA } from '@nestjs/websockets/constants';
import { RealtimeExceptionFilter } from './realtime-exception.filter';

/**
 * Nest applies no global filter to gateways, and its default one does not write to `ws` sockets. Before
 * the gateways are wired, this puts `RealtimeExceptionFilter` under each gateway's own filters.
 */
@Injectable()
export class GatewayFiltersBinder {
  private readonly filter = new RealtimeExceptionFilter();

  constructor(private readonly modules: ModulesContainer) {}

  bind(): void {
    for (const module of this.modules.values()) {
      for (const wrapper of module.providers.values()) {
        const type = wrapper.metatype as Function | null;
        if (!type || typeof type !== 'function' || !Reflect.getMetadata(GATEWAY_METADATA, type)) continue;
        const own: unknown[] = Reflect.getMetadata(EXCEPTION_FILTERS_METADATA, type) ?? [];
        if (own.some((filter) => filter instanceof RealtimeExceptionFilter || filter === RealtimeExceptionFilter)) continue;
        Reflect.defineMetadata(EXCEPTION_FILTERS_METADATA, [this.filter, ...own], type);
      }
    }
  }
}
