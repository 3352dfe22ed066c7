import type { DiscoveryService, MetadataScanner } from '@nestjs/core';
import type { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper';

/** One metadata item found on a method. */
export interface DecoratedMethod<M> {
  /** The method's name. */
  readonly key: string;
  readonly handler: Function;
  readonly metadata: M;
}

/** A provider or controller instance, with the methods that carry the metadata looked for. */
export interface DecoratedInstance<M> {
  /** The class name (the provider's name for a plain object), for logs and errors. */
  readonly owner: string;
  readonly instance: object;
  /** False for a request-scoped or transient provider: there is no single instance to call. */
  readonly isSingleton: boolean;
  /** One entry per metadata item: methods in the scanner's order, each method's items in the order `read` gives them. */
  readonly methods: readonly DecoratedMethod<M>[];
}

function ownerOf(instance: object, wrapper: InstanceWrapper): string {
  return instance.constructor && instance.constructor !== Object ? instance.constructor.name : String(wrapper.name);
}

/**
 * Walks every provider and controller instance once (aliases skipped, inherited methods included) and
 * returns those with decorated methods. `read` gives a method's metadata items: none for an undecorated one.
 */
export function exploreDecoratedMethods<M>(
  discovery: DiscoveryService,
  scanner: MetadataScanner,
  read: (handler: Function) => readonly M[] | undefined,
): DecoratedInstance<M>[] {
  const seen = new Set<object>();
  const found: DecoratedInstance<M>[] = [];
  for (const wrapper of [...discovery.getProviders(), ...discovery.getControllers()]) {
    const instance: unknown = wrapper.instance;
    if (typeof instance !== 'object' || instance === null || wrapper.isAlias || seen.has(instance)) continue;
    seen.add(instance);
    const prototype: Record<string, Function> = Object.getPrototypeOf(instance);
    const methods = scanner
      .getAllMethodNames(prototype)
      .flatMap((key) => (read(prototype[key]) ?? []).map((metadata) => ({ key, handler: prototype[key], metadata })));
    if (methods.length === 0) continue;
    const isSingleton = wrapper.isDependencyTreeStatic() && !wrapper.isTransient;
    found.push({ owner: ownerOf(instance, wrapper), instance, isSingleton, methods });
  }
  return found;
}
