import type { LogLevel } from '@nestjs/common';
import {
  A_FUNCTION,
  A_POSITIVE_NUMBER,
  AN_ARRAY_OF,
  AN_INTEGER,
  AN_OBJECT,
  INVALID_MODULE_OPTION,
  INVALID_OPTION,
  NON_EMPTY_STRINGS,
  ONE_OF,
  TRUE_OR_FALSE,
} from '../realtime.messages';

/** Builds the error a bad option fails with, from the option's name, what it must be and what it was. */
export type OptionFailure = (name: string, expected: string, got: unknown) => Error;

/** The failure of the options of `owner` (`RealtimeModule`, `RedisEngine`): an Error naming the option. */
export function optionFailure(owner: string): OptionFailure {
  return (name, expected, got) => new Error(INVALID_OPTION(owner, name, expected, got));
}

export const LOG_LEVELS: readonly LogLevel[] = ['verbose', 'debug', 'log', 'warn', 'error', 'fatal'];
const DEFAULT_LOG_LEVELS: readonly LogLevel[] = ['log', 'warn', 'error', 'fatal'];

/**
 * The checks every options resolver is made of. Each takes the option's name (for the message), its value
 * and the default for an absent value, and returns the value or throws `fail`'s error.
 */
export class OptionChecks {
  constructor(readonly fail: OptionFailure) {}

  integer(name: string, value: unknown, fallback: number, min: number, max?: number): number {
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || (max !== undefined && value > max)) {
      throw this.fail(name, AN_INTEGER(min, max), value);
    }
    return value;
  }

  positiveNumber(name: string, value: unknown, fallback: number): number {
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw this.fail(name, A_POSITIVE_NUMBER, value);
    return value;
  }

  boolean(name: string, value: unknown, fallback: boolean): boolean {
    if (value === undefined) return fallback;
    if (typeof value !== 'boolean') throw this.fail(name, TRUE_OR_FALSE, value);
    return value;
  }

  /** A string from `allowed`; without a fallback, an absent value fails too. */
  oneOf<T extends string>(name: string, value: unknown, allowed: readonly T[], fallback?: T): T {
    if (value === undefined && fallback !== undefined) return fallback;
    if (!allowed.includes(value as T)) throw this.fail(name, ONE_OF(allowed), value);
    return value as T;
  }

  /** A string matching `pattern`; `expected` says in words what the pattern takes. */
  text(name: string, value: unknown, fallback: string, pattern: RegExp, expected: string): string {
    if (value === undefined) return fallback;
    if (typeof value !== 'string' || !pattern.test(value)) throw this.fail(name, expected, value);
    return value;
  }

  /** A copy of an array of non-empty strings (of the fallback when absent). */
  stringList(name: string, value: unknown, fallback: readonly string[]): string[] {
    if (value === undefined) return [...fallback];
    if (!Array.isArray(value) || value.some((item) => typeof item !== 'string' || item.length === 0)) {
      throw this.fail(name, NON_EMPTY_STRINGS, value);
    }
    return [...value];
  }

  /** An optional callback; `signature` shows what it is called with and returns. */
  callback<F extends Function>(name: string, value: F | undefined, signature: string): F | undefined {
    if (value !== undefined && typeof value !== 'function') throw this.fail(name, A_FUNCTION(signature), value);
    return value;
  }

  /** A copy of a list of Nest log levels. */
  logLevels(name: string, value: unknown): LogLevel[] {
    if (value === undefined) return [...DEFAULT_LOG_LEVELS];
    if (!Array.isArray(value) || value.some((level) => !LOG_LEVELS.includes(level))) throw this.fail(name, AN_ARRAY_OF(LOG_LEVELS), value);
    return [...value];
  }

  /** A group of options: absent is all defaults, anything but a plain object fails. */
  section<T extends object>(name: string, value: T | undefined): Partial<T> {
    if (value === undefined) return {};
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw this.fail(name, AN_OBJECT(), value);
    return value;
  }

  /** A group of options that `false` turns off. */
  sectionOrOff<T extends object>(name: string, value: T | false | undefined): Partial<T> | false {
    if (value === false) return false;
    if (value !== undefined && (typeof value !== 'object' || value === null || Array.isArray(value))) {
      throw this.fail(name, AN_OBJECT(true), value);
    }
    return value ?? {};
  }
}

/** The failure of `RealtimeModule`'s own options, and their checks. */
export const invalidOption: OptionFailure = (name, expected, got) => new Error(INVALID_MODULE_OPTION(name, expected, got));
export const moduleOptionChecks = new OptionChecks(invalidOption);
