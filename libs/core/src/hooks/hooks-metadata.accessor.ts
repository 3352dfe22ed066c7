import { Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { HookMetadata } from './hook-options.interface';
import { REALTIME_HOOKS_METADATA } from './hooks.constants';

/** The one place that reads hook metadata, so the explorer never touches reflection keys. */
@Injectable()
export class RealtimeHooksMetadataAccessor {
  constructor(private readonly reflector: Reflector) {}

  /** The hook bindings of a method, in the order its decorators are written; empty for an undecorated one. */
  getHooks(handler: Function): readonly HookMetadata[] {
    return this.reflector.get<HookMetadata[] | undefined>(REALTIME_HOOKS_METADATA, handler) ?? [];
  }
}
