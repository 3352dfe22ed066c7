import type { IncomingMessage } from 'http';
import type { ProxyHeader } from '../../options/security-options.interface';
import { normalizeIp } from './ip-range';

const PORT = /^:\d{1,5}$/;
const IPV4_WITH_PORT = /^[\d.]+:\d{1,5}$/;

/**
 * The address of one hop as a proxy wrote it (`203.0.113.7`, `203.0.113.7:4711`, `2001:db8::1`,
 * `[2001:db8::1]:4711`), in one spelling; undefined for anything else (`unknown`, an obfuscated name, garbage).
 */
export function hopAddress(text: string): string | undefined {
  let value = text.trim();
  if (value.startsWith('[')) {
    const end = value.indexOf(']');
    if (end === -1 || (end < value.length - 1 && !PORT.test(value.slice(end + 1)))) return undefined;
    value = value.slice(1, end);
  } else if (IPV4_WITH_PORT.test(value)) {
    value = value.slice(0, value.lastIndexOf(':'));
  }
  return normalizeIp(value);
}

function unquote(value: string): string {
  if (value.length < 2 || !value.startsWith('"') || !value.endsWith('"')) return value;
  return value.slice(1, -1).replace(/\\(.)/g, '$1');
}

/** The `for` of one RFC 7239 element (`for=192.0.2.60;proto=http;by=203.0.113.43`); '' when it has none or two. */
function forwardedFor(element: string): string {
  let found: string | undefined;
  for (const pair of element.split(';')) {
    const equals = pair.indexOf('=');
    if (equals === -1 || pair.slice(0, equals).trim().toLowerCase() !== 'for') continue;
    if (found !== undefined) return '';
    found = unquote(pair.slice(equals + 1).trim());
  }
  return found ?? '';
}

/**
 * The hops a header lists, nearest the client first, as written. A comma always ends an entry: the
 * entries a trusted proxy writes hold none, and whatever a client wrote is read only when the client is trusted.
 */
export function forwardedHops(request: IncomingMessage, header: ProxyHeader): string[] {
  const raw = request.headers[header];
  const value = Array.isArray(raw) ? raw.join(',') : raw;
  if (!value) return [];
  const entries = value.split(',');
  return header === 'forwarded' ? entries.map(forwardedFor) : entries;
}
