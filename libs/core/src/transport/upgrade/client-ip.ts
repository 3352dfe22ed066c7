import type { IncomingMessage } from 'http';

const IPV4_MAPPED = '::ffff:';

/** The client's address: the socket's, or behind a trusted proxy the last `X-Forwarded-For` entry (the proxy's own addition). */
export function clientIp(request: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const header = request.headers['x-forwarded-for'];
    const forwarded = (Array.isArray(header) ? header.join(',') : header)?.split(',').pop()?.trim();
    if (forwarded) return forwarded;
  }
  const address = request.socket?.remoteAddress ?? '';
  return address.startsWith(IPV4_MAPPED) && address.includes('.') ? address.slice(IPV4_MAPPED.length) : address;
}
