/**
 * Ids kept per key (the connections of a clientId, the channels of a connection): the id itself while
 * there is one (most keys), a Set from the second on.
 */
export type IdSet = string | Set<string>;

/** The ids with one more. */
export function withId(held: IdSet | undefined, id: string): IdSet {
  if (held === undefined) return id;
  if (typeof held !== 'string') return held.add(id);
  return held === id ? held : new Set([held, id]);
}

/** The ids with one fewer; undefined when none is left. */
export function withoutId(held: IdSet | undefined, id: string): IdSet | undefined {
  if (held === undefined || held === id) return undefined;
  if (typeof held === 'string') return held;
  held.delete(id);
  return held.size === 1 ? held.values().next().value! : held;
}

export function addId(map: Map<string, IdSet>, key: string, id: string): void {
  const held = map.get(key);
  const ids = withId(held, id);
  if (ids !== held) map.set(key, ids);
}

/** Removes an id; returns whether any is left under the key. */
export function removeId(map: Map<string, IdSet>, key: string, id: string): boolean {
  const held = map.get(key);
  const ids = withoutId(held, id);
  if (ids === undefined) map.delete(key);
  else if (ids !== held) map.set(key, ids);
  return ids !== undefined;
}

export function idsOf(held: IdSet | undefined): string[] {
  return held === undefined ? [] : typeof held === 'string' ? [held] : [...held];
}
