import 'reflect-metadata';
import type { HookMetadata, HookOptions } from '../hook-options.interface';
import { REALTIME_HOOKS_METADATA } from '../hooks.constants';
import { DECORATOR_MISUSE, describeValue, NOT_A_METHOD } from '../../realtime.messages';

/** A method decorator that only fits methods able to take the event `E` as their argument. */
export type HookDecorator<E> = <M extends (event: E) => unknown>(
  target: object,
  propertyKey: string | symbol,
  descriptor: TypedPropertyDescriptor<M>,
) => void;

function misuse(decorator: string, what: string, expected: string, got: unknown): TypeError {
  return new TypeError(DECORATOR_MISUSE(decorator, what, expected, got));
}

/** Rejects an event type outside `allowed`: JavaScript callers and typos should fail at class definition, not stay silent. */
export function checkType<T extends string>(decorator: string, type: unknown, allowed: readonly T[]): T {
  if (!allowed.includes(type as T)) throw misuse(decorator, 'the event type', allowed.map(describeValue).join(' or '), type);
  return type as T;
}

export function checkPattern(decorator: string, pattern: unknown): string | undefined {
  if (pattern !== undefined && (typeof pattern !== 'string' || pattern.length === 0)) {
    throw misuse(decorator, 'the channel pattern', 'a non-empty string such as "room:*"', pattern);
  }
  return pattern;
}

export function checkOptions<E>(decorator: string, options: HookOptions<E> | undefined): HookOptions<E> {
  const resolved = options ?? {};
  if (typeof resolved !== 'object' || resolved === null) throw misuse(decorator, 'the options', 'an object', resolved);
  if (resolved.priority !== undefined && !Number.isFinite(resolved.priority)) {
    throw misuse(decorator, 'options.priority', 'a finite number', resolved.priority);
  }
  if (resolved.filter !== undefined && typeof resolved.filter !== 'function') {
    throw misuse(decorator, 'options.filter', 'a function', resolved.filter);
  }
  return { ...resolved };
}

/**
 * Adds one hook binding to a method. Like `SetMetadata`, but the value is a list so one method can carry
 * several hook decorators; they are kept in the order they are written.
 */
export function SetHookMetadata<E>(decorator: string, metadata: HookMetadata): HookDecorator<E> {
  return (_target, propertyKey, descriptor) => {
    const handler: unknown = descriptor.value;
    if (typeof handler !== 'function') {
      throw new TypeError(NOT_A_METHOD(decorator, propertyKey));
    }
    const existing: HookMetadata[] = Reflect.getMetadata(REALTIME_HOOKS_METADATA, handler) ?? [];
    Reflect.defineMetadata(REALTIME_HOOKS_METADATA, [metadata, ...existing], handler);
  };
}
