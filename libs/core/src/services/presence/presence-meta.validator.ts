import { checkJsonValue, isPlainObject } from '../../codec/json-value';
import { FieldError, invalid } from '../../errors/realtime.exception';

export interface MetaLimits {
  maxBytes: number;
  maxDepth: number;
}

/** Fields the server writes into every meta; a client may not set them. */
export const RESERVED_META_FIELDS = ['connectionId', 'onlineAt'] as const;

/**
 * Checks a presence meta before anything is written: a plain JSON object, within the size and depth
 * limits, without the server's own fields, with the fields the channel requires. Throws `invalid`
 * listing every field at fault.
 */
export function validatePresenceMeta(meta: unknown, limits: MetaLimits, required: readonly string[] = []): Record<string, unknown> {
  if (meta === undefined || meta === null) meta = {};
  if (!isPlainObject(meta)) {
    throw invalid('A presence meta must be a JSON object.', [{ field: 'meta', message: 'must be an object' }]);
  }
  const errors: FieldError[] = [];
  for (const [key, value] of Object.entries(meta)) {
    if ((RESERVED_META_FIELDS as readonly string[]).includes(key)) {
      errors.push({ field: `meta.${key}`, message: 'is set by the server' });
      continue;
    }
    checkJsonValue(value, `meta.${key}`, 1, limits.maxDepth, errors);
  }
  for (const field of required) {
    if (meta[field] === undefined) errors.push({ field: `meta.${field}`, message: 'is required in this channel' });
  }
  if (errors.length) throw invalid('The presence meta is not valid.', errors);
  const bytes = Buffer.byteLength(JSON.stringify(meta));
  if (bytes > limits.maxBytes) {
    throw invalid(`The presence meta is ${bytes} bytes; the limit is ${limits.maxBytes}.`, [
      { field: 'meta', message: `is larger than ${limits.maxBytes} bytes` },
    ]);
  }
  return meta;
}
