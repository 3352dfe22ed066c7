const ORIGIN_PATTERN = /^[a-z][a-z0-9+.-]*:\/\/[^/?#\s]+$/;
/** What `*` may stand for: host labels or a port, never `/`, `:` or `@`, so it cannot leave the domain it sits in. */
const WILDCARD = '[a-z0-9-]+(?:\\.[a-z0-9-]+)*';

/** `scheme://host[:port]` in lower case with the scheme's default port dropped; undefined when it is no origin. */
export function normalizeOrigin(origin: string): string | undefined {
  try {
    const url = new URL(origin.trim().toLowerCase());
    return url.host ? `${url.protocol}//${url.host}` : undefined;
  } catch {
    return undefined;
  }
}

/** Whether an allow-list entry is well formed: `*`, `null`, or `scheme://host[:port]` with `*` wildcards. */
export function isOriginPattern(pattern: unknown): pattern is string {
  if (typeof pattern !== 'string') return false;
  const lower = pattern.toLowerCase();
  return lower === '*' || lower === 'null' || ORIGIN_PATTERN.test(lower);
}

/** Compiles an allow-list (see `isOriginPattern`) to one test on normalized origins. */
export function compileOrigins(patterns: readonly string[]): (origin: string) => boolean {
  if (patterns.includes('*')) return () => true;
  const exact = new Set<string>();
  const wildcards: RegExp[] = [];
  for (const pattern of patterns) {
    const lower = pattern.toLowerCase();
    if (lower === 'null') exact.add('null');
    else if (!lower.includes('*')) exact.add(normalizeOrigin(lower) ?? lower);
    else wildcards.push(new RegExp(`^${lower.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join(WILDCARD)}$`));
  }
  return (origin) => exact.has(origin) || wildcards.some((wildcard) => wildcard.test(origin));
}

/** Whether a (normalized) origin names the host the request was sent to. */
export function isSameOrigin(origin: string, host: string | undefined): boolean {
  if (!host) return false;
  const scheme = origin.slice(0, origin.indexOf('//'));
  return normalizeOrigin(`${scheme}//${host}`) === origin;
}
