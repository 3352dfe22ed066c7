import { BAD_REQUEST } from './pusher-http.messages';

export type ParsedQuery = { ok: true; query: Record<string, string> } | { ok: false; reason: string };

/**
 * A raw query string as the signature sees it: keys lowercased, values percent-decoded (a `+` stays a
 * `+`: the SDKs sign values unencoded, and encode a space as %20 when they encode). A repeated key makes
 * the signed string ambiguous, so it is refused.
 */
export function parseSignedQuery(raw: string): ParsedQuery {
  const query: Record<string, string> = Object.create(null);
  if (raw === '') return { ok: true, query };
  for (const pair of raw.split('&')) {
    if (pair === '') continue;
    const equals = pair.indexOf('=');
    let key: string;
    let value: string;
    try {
      key = decodeURIComponent(equals < 0 ? pair : pair.slice(0, equals)).toLowerCase();
      value = equals < 0 ? '' : decodeURIComponent(pair.slice(equals + 1));
    } catch {
      return { ok: false, reason: BAD_REQUEST.badQuery };
    }
    if (key in query) return { ok: false, reason: BAD_REQUEST.duplicateParam(key) };
    query[key] = value;
  }
  return { ok: true, query };
}

/** The path and the raw query of a request URL (`/apps/1/events?auth_key=…`). */
export function splitUrl(url: string): { path: string; rawQuery: string } {
  const mark = url.indexOf('?');
  return mark < 0 ? { path: url, rawQuery: '' } : { path: url.slice(0, mark), rawQuery: url.slice(mark + 1) };
}
