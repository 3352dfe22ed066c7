import type { FieldError } from '../errors/realtime.exception';

/** An object made by `{}` or JSON (or with no prototype): not an array, a Date, a Map or a class instance. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Adds to `errors` each place in `value` that JSON cannot carry as it is (a function, a non-finite number,
 * an object that is not plain) or that nests `maxDepth` levels or deeper, named from `path`; `depth` is
 * the nesting `value` is at already.
 */
export function checkJsonValue(value: unknown, path: string, depth: number, maxDepth: number, errors: FieldError[]): void {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(value)) errors.push({ field: path, message: 'must be a finite number' });
      return;
    case 'object':
      if (value === null) return;
      if (depth >= maxDepth) return void errors.push({ field: path, message: `nests deeper than ${maxDepth} levels` });
      if (Array.isArray(value)) return value.forEach((item, index) => checkJsonValue(item, `${path}[${index}]`, depth + 1, maxDepth, errors));
      if (!isPlainObject(value)) {
        return void errors.push({ field: path, message: 'must be plain JSON (an object, array, string, number, boolean or null)' });
      }
      for (const [key, item] of Object.entries(value)) checkJsonValue(item, `${path}.${key}`, depth + 1, maxDepth, errors);
      return;
    default:
      errors.push({ field: path, message: `is a ${typeof value}, which JSON cannot carry` });
  }
}
