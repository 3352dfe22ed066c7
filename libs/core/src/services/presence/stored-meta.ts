import type { PresenceMeta } from '@nest-realtime/protocol';

/**
 * A presence meta as an engine keeps it: the application's fields, then the server's. Copied key by
 * key rather than spread: V8 gives each object spread from JSON.parse output a hidden class of its
 * own (about 200 bytes, held as long as the entry), where a plain copy shares one. A `__proto__` key
 * from JSON stays an own field, as spreading would keep it.
 */
export function storedMeta(meta: Record<string, unknown>, connectionId: string, onlineAt: number): PresenceMeta {
  const stored: Record<string, unknown> = {};
  for (const key of Object.keys(meta)) {
    if (key === '__proto__') Object.defineProperty(stored, key, { value: meta[key], enumerable: true, writable: true, configurable: true });
    else stored[key] = meta[key];
  }
  stored.connectionId = connectionId;
  stored.onlineAt = onlineAt;
  return stored as PresenceMeta;
}
