import { checkJsonValue } from '../../codec/json-value';
import { FieldError, invalid } from '../../errors/realtime.exception';

export interface StateValueLimits {
  maxBytes: number;
  maxDepth: number;
  maxTtl: number;
}

const KEY = /^[\x20-\x7e]{1,128}$/;
const MAX_VERSION = Number.MAX_SAFE_INTEGER;

/** Keys: 1 to 128 printable ASCII characters (spaces allowed). */
export function validateStateKey(key: unknown): string {
  if (typeof key !== 'string' || !KEY.test(key)) {
    throw invalid('A state key is 1 to 128 printable ASCII characters.', [{ field: 'key', message: 'must be 1 to 128 printable ASCII characters' }]);
  }
  return key;
}

/**
 * A value: plain JSON (objects, arrays, strings, finite numbers, booleans, null), within the depth and
 * size limits. Throws `invalid` naming each field at fault; `undefined` is not a value (delete the key).
 */
export function validateStateValue(value: unknown, limits: Pick<StateValueLimits, 'maxBytes' | 'maxDepth'>): unknown {
  if (value === undefined) throw invalid('"value" is required: delete a key with state:delete.', [{ field: 'value', message: 'is required' }]);
  const errors: FieldError[] = [];
  checkJsonValue(value, 'value', 0, limits.maxDepth, errors);
  if (errors.length) throw invalid('The state value is not plain JSON within the limits.', errors);
  const bytes = Buffer.byteLength(JSON.stringify(value));
  if (bytes > limits.maxBytes) {
    throw invalid(`The state value is ${bytes} bytes; the limit is ${limits.maxBytes}.`, [{ field: 'value', message: `is larger than ${limits.maxBytes} bytes` }]);
  }
  return value;
}

/** A ttl: an integer number of ms from 1 to `maxTtl`; undefined is none. */
export function validateStateTtl(ttl: unknown, maxTtl: number): number | undefined {
  if (ttl === undefined || ttl === null) return undefined;
  if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 1 || ttl > maxTtl) {
    throw invalid(`"ttl" is a number of ms from 1 to ${maxTtl}.`, [{ field: 'ttl', message: `must be an integer from 1 to ${maxTtl}` }]);
  }
  return ttl;
}

/** An expected version (compare-and-set): an integer ≥ 0, 0 meaning "absent"; undefined is none. */
export function validateStateVersion(version: unknown): number | undefined {
  if (version === undefined || version === null) return undefined;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 0 || version > MAX_VERSION) {
    throw invalid('"version" is the version the key must have (0: absent).', [{ field: 'version', message: 'must be an integer ≥ 0' }]);
  }
  return version;
}
