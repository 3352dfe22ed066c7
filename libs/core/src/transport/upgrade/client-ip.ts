import type { IncomingMessage } from 'http';
import type { ProxyHeader } from '../../options/security-options.interface';
import { forwardedHops, hopAddress } from './forwarded-header';

const IPV4_MAPPED = '::ffff:';

/** Whether an address (IPv4 dotted, IPv6 in RFC 5952's form) is a proxy whose forwarding headers are believed. */
export type TrustedProxy = (address: string) => boolean;

function socketAddress(request: IncomingMessage): string {
  const address = request.socket?.remoteAddress ?? '';
  return address.startsWith(IPV4_MAPPED) && address.includes('.') ? address.slice(IPV4_MAPPED.length) : address;
}

function trusts(trusted: TrustedProxy, address: string): boolean {
  try {
    return trusted(address) === true;
  } catch {
    // A check that fails trusts nobody: the walk ends at the address it could not judge.
    return false;
  }
}

/**
 * The client's address. Without trusted proxies, or when the socket's peer is not one, the peer's:
 * an untrusted peer's headers are never read. Otherwise the proxies' header is walked from its right end,
 * each entry being the address the hop on its right received the request from, for as long as that
 * hop is a trusted proxy; the first address not trusted is the client. An entry that is no address
 * ends the walk at the proxy that wrote it; a walk through every entry ends at the first one.
 */
export function clientIp(request: IncomingMessage, trusted: TrustedProxy | false, header: ProxyHeader = 'x-forwarded-for'): string {
  const peer = socketAddress(request);
  if (trusted === false || !trusts(trusted, peer)) return peer;
  const hops = forwardedHops(request, header);
  let client = peer;
  for (let i = hops.length - 1; i >= 0; i--) {
    const address = hopAddress(hops[i]);
    if (address === undefined) break;
    client = address;
    if (!trusts(trusted, address)) break;
  }
  return client;
}
