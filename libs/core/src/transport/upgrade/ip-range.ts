/**
 * IP addresses and CIDR ranges, IPv4 and IPv6 alike: an address is 16 bytes, an IPv4 one as IPv4-mapped
 * IPv6 (`::ffff:a.b.c.d`), so that `10.0.0.1` and `::ffff:10.0.0.1` are one address and one range covers both.
 */

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const HEX_GROUP = /^[0-9a-f]{1,4}$/i;
const MAPPED_PREFIX = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

/** A range: the addresses whose first `bits` bits are those of `bytes`. */
export interface IpRange {
  readonly bytes: Uint8Array;
  readonly bits: number;
}

/** Named groups of ranges a trusted-proxy list may use besides addresses and CIDRs. */
export const NAMED_RANGES: Readonly<Record<string, readonly string[]>> = {
  loopback: ['127.0.0.0/8', '::1/128'],
  private: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
};

function ipv4Bytes(text: string, into: Uint8Array, at: number): boolean {
  const parts = IPV4.exec(text);
  if (!parts) return false;
  for (let i = 1; i <= 4; i++) {
    const part = parts[i];
    // A leading zero reads as octal to some parsers: refuse what two parsers could read as two addresses.
    if (part.length > 1 && part[0] === '0') return false;
    const value = Number(part);
    if (value > 255) return false;
    into[at + i - 1] = value;
  }
  return true;
}

/** The groups of one side of `::`, written into `into` from byte `at`; the number of bytes written, or -1. */
function ipv6Groups(text: string, into: Uint8Array, at: number, lastSide: boolean): number {
  if (text === '') return 0;
  const groups = text.split(':');
  let offset = at;
  for (let i = 0; i < groups.length; i++) {
    const group = groups[i];
    if (lastSide && i === groups.length - 1 && group.includes('.')) {
      if (offset + 4 > 16 || !ipv4Bytes(group, into, offset)) return -1;
      offset += 4;
    } else {
      if (!HEX_GROUP.test(group) || offset + 2 > 16) return -1;
      const value = parseInt(group, 16);
      into[offset] = value >> 8;
      into[offset + 1] = value & 0xff;
      offset += 2;
    }
  }
  return offset - at;
}

function parseIpv6(text: string): Uint8Array | undefined {
  const zone = text.indexOf('%');
  const address = zone === -1 ? text : text.slice(0, zone);
  const halves = address.split('::');
  if (halves.length > 2) return undefined;
  const bytes = new Uint8Array(16);
  if (halves.length === 1) {
    return ipv6Groups(address, bytes, 0, true) === 16 ? bytes : undefined;
  }
  const head = ipv6Groups(halves[0], bytes, 0, false);
  const tail = new Uint8Array(16);
  const tailLength = ipv6Groups(halves[1], tail, 0, true);
  // `::` stands for at least one group of zeros.
  if (head < 0 || tailLength < 0 || head + tailLength > 14) return undefined;
  bytes.set(tail.subarray(0, tailLength), 16 - tailLength);
  return bytes;
}

/** The 16 bytes of an IPv4 or IPv6 address (a zone, `%eth0`, is dropped), or undefined when `text` is none. */
export function parseIp(text: string): Uint8Array | undefined {
  if (text.includes(':')) return parseIpv6(text);
  const bytes = new Uint8Array(16);
  bytes.set(MAPPED_PREFIX);
  return ipv4Bytes(text, bytes, 12) ? bytes : undefined;
}

function isMappedIpv4(bytes: Uint8Array): boolean {
  return MAPPED_PREFIX.every((byte, i) => bytes[i] === byte);
}

/** An address as one spelling: IPv4 (mapped ones too) dotted, IPv6 in RFC 5952's form (`2001:db8::1`). */
export function formatIp(bytes: Uint8Array): string {
  if (isMappedIpv4(bytes)) return `${bytes[12]}.${bytes[13]}.${bytes[14]}.${bytes[15]}`;
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i] << 8) | bytes[i + 1]);
  // The longest run of two or more zero groups (the first of equals) becomes `::`.
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let end = i;
    while (end < 8 && groups[end] === 0) end++;
    if (end - i > bestLength) {
      bestStart = i;
      bestLength = end - i;
    }
    i = end;
  }
  const hex = (list: number[]) => list.map((group) => group.toString(16)).join(':');
  if (bestStart === -1) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLength))}`;
}

/** `text` as one spelling (see `formatIp`), or undefined when it is no IP address. */
export function normalizeIp(text: string): string | undefined {
  const bytes = parseIp(text);
  return bytes && formatIp(bytes);
}

/** A range from `10.0.0.0/8`, `fd00::/8`, or one address (`203.0.113.7`, `::1`); undefined when `text` is none. */
export function parseRange(text: string): IpRange | undefined {
  const slash = text.indexOf('/');
  const bytes = parseIp(slash === -1 ? text : text.slice(0, slash));
  if (!bytes) return undefined;
  if (slash === -1) return { bytes, bits: 128 };
  const prefix = text.slice(slash + 1);
  const ipv4 = !text.slice(0, slash).includes(':');
  const max = ipv4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > max) return undefined;
  return { bytes, bits: Number(prefix) + (ipv4 ? 96 : 0) };
}

/** Whether an address (its 16 bytes) is in a range. */
export function inRange(address: Uint8Array, range: IpRange): boolean {
  const whole = range.bits >> 3;
  for (let i = 0; i < whole; i++) if (address[i] !== range.bytes[i]) return false;
  const rest = range.bits & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (address[whole] & mask) === (range.bytes[whole] & mask);
}

/** The ranges of one entry of a trusted-proxy list: an address, a CIDR or a name of `NAMED_RANGES`; undefined when it is none. */
export function rangesOf(entry: string): IpRange[] | undefined {
  const named = Object.prototype.hasOwnProperty.call(NAMED_RANGES, entry) ? NAMED_RANGES[entry] : [entry];
  const ranges = named.map(parseRange);
  return ranges.every((range) => range !== undefined) ? (ranges as IpRange[]) : undefined;
}

/** Whether an address (text) is in one of the ranges; false for anything that is no address. */
export function rangeMatcher(ranges: readonly IpRange[]): (address: string) => boolean {
  return (address) => {
    const bytes = parseIp(address);
    return bytes !== undefined && ranges.some((range) => inRange(bytes, range));
  };
}
