import type { PresenceMeta } from '@nest-realtime/protocol';
import { RESERVED_META_FIELDS } from './presence-meta.validator';

/**
 * A meta's application fields with `status` set: a copy (the caller's object is not changed), key by key
 * for the reason `storedMeta` gives, without the server's fields (the engine writes them again).
 */
export function metaWithStatus(meta: Record<string, unknown>, status: string): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(meta)) {
    if (key === 'status' || (RESERVED_META_FIELDS as readonly string[]).includes(key)) continue;
    if (key === '__proto__') Object.defineProperty(copy, key, { value: meta[key], enumerable: true, writable: true, configurable: true });
    else copy[key] = meta[key];
  }
  copy.status = status;
  return copy;
}

/** The status a stored meta carries, if it is a string. */
export function statusOf(meta: PresenceMeta | Record<string, unknown> | undefined): string | undefined {
  const status = meta?.status;
  return typeof status === 'string' ? status : undefined;
}
