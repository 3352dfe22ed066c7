import type { IncomingMessage } from 'http';
import type { ProxyHeader } from '../../options/security-options.interface';
import { clientIp, TrustedProxy } from './client-ip';
import { rangeMatcher, rangesOf } from './ip-range';

function request(remoteAddress: string | undefined, headers: Record<string, string | string[]> = {}): IncomingMessage {
  return { headers, socket: { remoteAddress } } as unknown as IncomingMessage;
}

/** Trusts the listed addresses, CIDRs and range names, as `limits.trustProxy` does. */
function trusting(...entries: string[]): TrustedProxy {
  return rangeMatcher(entries.flatMap((entry) => rangesOf(entry)!));
}

const LOOPBACK = trusting('loopback');
const PROXIES = trusting('127.0.0.1', '10.0.0.0/8', 'fd00::/8');

describe('the client address', () => {
  it.each<[string, string | undefined, TrustedProxy | false, string]>([
    ['the socket address without trusted proxies', '203.0.113.7', false, '203.0.113.7'],
    ['an IPv4-mapped socket address as IPv4', '::ffff:203.0.113.7', false, '203.0.113.7'],
    ['an IPv6 socket address as it is', '2001:db8::7', false, '2001:db8::7'],
    ['an empty address for a socket already gone', undefined, false, ''],
    ['a trusted peer without a header as the peer', '127.0.0.1', LOOPBACK, '127.0.0.1'],
    ['a trusted IPv4-mapped peer as IPv4', '::ffff:127.0.0.1', LOOPBACK, '127.0.0.1'],
  ])('is %s', (_case, remoteAddress, trusted, ip) => {
    expect(clientIp(request(remoteAddress), trusted)).toBe(ip);
  });

  describe('through X-Forwarded-For', () => {
    it.each<[string, string, string | string[], string]>([
      ['the entry a trusted peer added', '127.0.0.1', '203.0.113.7', '203.0.113.7'],
      ['the first untrusted entry from the right', '127.0.0.1', '198.51.100.1, 203.0.113.7, 10.0.0.2', '203.0.113.7'],
      ['an entry with a port', '127.0.0.1', '203.0.113.7:4711', '203.0.113.7'],
      ['a bracketed IPv6 entry with a port', '127.0.0.1', '[2001:DB8::7]:4711', '2001:db8::7'],
      ['a bare IPv6 entry, in one spelling', '127.0.0.1', '2001:0db8:0:0:0:0:0:7', '2001:db8::7'],
      ['an IPv4-mapped entry as IPv4', '127.0.0.1', '::ffff:203.0.113.7', '203.0.113.7'],
      ['the leftmost entry when every hop is trusted', '127.0.0.1', '10.0.0.9, 10.0.0.2', '10.0.0.9'],
      ['the entries of repeated headers, in order', '127.0.0.1', ['198.51.100.1', '203.0.113.7, 10.0.0.2'], '203.0.113.7'],
      ['a trusted IPv6 peer', 'fd00::1', '203.0.113.7', '203.0.113.7'],
      ['entries with odd spacing', '127.0.0.1', ' 198.51.100.1 ,203.0.113.7 ,  10.0.0.2 ', '203.0.113.7'],
    ])('is %s', (_case, peer, header, ip) => {
      expect(clientIp(request(peer, { 'x-forwarded-for': header }), PROXIES)).toBe(ip);
    });

    it.each<[string, string, string, string]>([
      ['an untrusted peer naming another address', '203.0.113.66', '10.0.0.2', '203.0.113.66'],
      ['an untrusted peer naming a trusted proxy', '203.0.113.66', '127.0.0.1', '203.0.113.66'],
      ['a client prepending addresses before the proxy adds its own', '127.0.0.1', '1.1.1.1, 10.0.0.1, 203.0.113.66', '203.0.113.66'],
      ['a client sending a header of trusted addresses through the proxy', '127.0.0.1', '10.0.0.3, 203.0.113.66', '203.0.113.66'],
      ['an untrusted IPv4-mapped peer', '::ffff:203.0.113.66', '198.51.100.1', '203.0.113.66'],
    ])('ignores %s', (_case, peer, header, ip) => {
      expect(clientIp(request(peer, { 'x-forwarded-for': header }), PROXIES)).toBe(ip);
    });

    it.each<[string, string, string]>([
      ['an empty header', '', '127.0.0.1'],
      ['a header of commas', ',,,', '127.0.0.1'],
      ['garbage from the proxy', 'not an address', '127.0.0.1'],
      ['garbage behind a trusted hop', 'junk, 10.0.0.2', '10.0.0.2'],
      ['garbage past the client', 'junk, 203.0.113.7', '203.0.113.7'],
      ['an unclosed bracket', '[2001:db8::7', '127.0.0.1'],
      ['a bracket with junk after it', '[2001:db8::7]x', '127.0.0.1'],
      ['an address with a port too long', '203.0.113.7:123456', '127.0.0.1'],
      ['a huge header', `${'9.9.9.9,'.repeat(1000)}203.0.113.7`, '203.0.113.7'],
      ['unicode digits', '２０３.0.113.7', '127.0.0.1'],
    ])('survives %s', (_case, header, ip) => {
      expect(clientIp(request('127.0.0.1', { 'x-forwarded-for': header }), PROXIES)).toBe(ip);
    });

    it('reads no Forwarded header', () => {
      expect(clientIp(request('127.0.0.1', { forwarded: 'for=203.0.113.7' }), PROXIES)).toBe('127.0.0.1');
    });
  });

  describe('through Forwarded (RFC 7239)', () => {
    const via = (peer: string, forwarded: string, xForwardedFor?: string) =>
      clientIp(request(peer, { forwarded, ...(xForwardedFor && { 'x-forwarded-for': xForwardedFor }) }), PROXIES, 'forwarded');

    it.each<[string, string, string]>([
      ['a plain for', 'for=203.0.113.7', '203.0.113.7'],
      ['for among other parameters, in any case', 'proto=https;For=203.0.113.7;by=10.0.0.1', '203.0.113.7'],
      ['a quoted IPv4 with a port', 'for="203.0.113.7:4711"', '203.0.113.7'],
      ['a quoted bracketed IPv6 with a port', 'for="[2001:db8:cafe::17]:4711"', '2001:db8:cafe::17'],
      ['a quoted bracketed IPv6', 'for="[2001:db8:cafe::17]"', '2001:db8:cafe::17'],
      ['the first untrusted element from the right', 'for=198.51.100.1, for=203.0.113.7;proto=http, for=10.0.0.2', '203.0.113.7'],
      ['spaces around the separators', 'for = 198.51.100.1 ;proto=http ,  for= "203.0.113.7" ', '203.0.113.7'],
      ['a quoted string with escapes', 'for="\\203.0.113.7"', '203.0.113.7'],
    ])('reads %s', (_case, header, ip) => {
      expect(via('127.0.0.1', header)).toBe(ip);
    });

    it.each<[string, string, string]>([
      ['an obfuscated identifier', 'for=_hidden', '127.0.0.1'],
      ['for=unknown', 'for=unknown, for=10.0.0.2', '10.0.0.2'],
      ['an element without for', 'proto=https', '127.0.0.1'],
      ['an element with two for', 'for=203.0.113.7;for=198.51.100.1', '127.0.0.1'],
      ['an unquoted IPv6 (lenient)', 'for=[2001:db8::17]', '2001:db8::17'],
      ['an unclosed quote from a client', 'for="203.0.113.66, for=203.0.113.7', '203.0.113.7'],
      ['an empty value', 'for=', '127.0.0.1'],
      ['no value', 'for', '127.0.0.1'],
      ['stray semicolons and commas', ';;,;, ,for=203.0.113.7', '203.0.113.7'],
    ])('survives %s', (_case, header, ip) => {
      expect(via('127.0.0.1', header)).toBe(ip);
    });

    it('ignores an untrusted peer, and X-Forwarded-For', () => {
      expect(via('203.0.113.66', 'for=10.0.0.2')).toBe('203.0.113.66');
      expect(via('127.0.0.1', 'for=203.0.113.7', '198.51.100.1')).toBe('203.0.113.7');
      expect(clientIp(request('127.0.0.1', { 'x-forwarded-for': '198.51.100.1' }), PROXIES, 'forwarded')).toBe('127.0.0.1');
    });
  });

  describe('with a function', () => {
    it('asks it about each hop, in one spelling, from the peer on', () => {
      const asked: string[] = [];
      const trusted = (address: string) => {
        asked.push(address);
        return address !== '2001:db8::7';
      };

      expect(clientIp(request('::ffff:127.0.0.1', { 'x-forwarded-for': '198.51.100.1, [2001:DB8::7]:80, 10.0.0.2' }), trusted)).toBe('2001:db8::7');
      expect(asked).toEqual(['127.0.0.1', '10.0.0.2', '2001:db8::7']);
    });

    it('trusts nobody when it throws, and only what it answers true for', () => {
      const throwing = () => {
        throw new Error('lookup failed');
      };
      const truthy = (() => 'yes') as unknown as TrustedProxy;

      expect(clientIp(request('127.0.0.1', { 'x-forwarded-for': '203.0.113.7' }), throwing)).toBe('127.0.0.1');
      expect(clientIp(request('127.0.0.1', { 'x-forwarded-for': '203.0.113.7' }), truthy)).toBe('127.0.0.1');
    });
  });

  it('takes the header named, whichever the other says', () => {
    const both = request('127.0.0.1', { 'x-forwarded-for': '203.0.113.1', forwarded: 'for=203.0.113.2' });
    const header: ProxyHeader = 'x-forwarded-for';

    expect(clientIp(both, PROXIES, header)).toBe('203.0.113.1');
    expect(clientIp(both, PROXIES, 'forwarded')).toBe('203.0.113.2');
  });
});
