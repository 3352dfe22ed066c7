import { invalidOption } from './realtime-options.messages';

/** An integer option ≥ `min`, or the fallback when it is absent. */
export function integerOption(name: string, value: unknown, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalidOption(name, max === Number.MAX_SAFE_INTEGER ? `an integer ≥ ${min}` : `an integer from ${min} to ${max}`, value);
  }
  return value;
}

/** A number option > 0, or the fallback when it is absent. */
export function positiveNumberOption(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw invalidOption(name, 'a number > 0', value);
  return value;
}

export function booleanOption(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw invalidOption(name, 'true or false', value);
  return value;
}

/** A nested options object: absent is all defaults, `false` is off (when allowed), anything but a plain object fails. */
export function sectionOption<T extends object>(name: string, value: T | false | undefined, canBeOff = false): Partial<T> | false {
  if (value === undefined) return {};
  if (value === false && canBeOff) return false;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidOption(name, canBeOff ? 'an object or false' : 'an object', value);
  }
  return value;
}
