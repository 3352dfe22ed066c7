/** Which browser origins may open a connection; a refused upgrade gets 403. */
export interface OriginOptions {
  /**
   * Origins let in besides the server's own: `'https://app.example.com'`, `'https://*.example.com'`
   * (`*` stands for one or more subdomain labels, or for a port: `'http://localhost:*'`), or `'*'` for
   * every origin. Default `[]`.
   */
  allow?: string[];
  /** Let in a page served by this server (its Origin's host is the request's Host). Default `true`. */
  sameOrigin?: boolean;
  /** Let in upgrades without an Origin header: not a browser (a server, a CLI, a mobile app). Default `true`. */
  allowMissing?: boolean;
}

/** A token bucket: `burst` at once, refilled at `perSecond`. */
export interface RateBucketOptions {
  /** Most taken at once, and the bucket's size. */
  burst: number;
  /** Refill rate, per second. */
  perSecond: number;
}

/** The buckets of one event class; `false` turns a bucket off. */
export interface RateClassOptions {
  /** Frames. */
  frames?: RateBucketOptions | false;
  /** Bytes of frames (as received). */
  bytes?: RateBucketOptions | false;
}

/**
 * Buckets by event class. `all` counts every inbound frame, readable or not; `publish` counts
 * `channel:publish` and `direct:send`; `join` counts `channel:join` and `channel:leave`; `presence` counts
 * `presence:update` and `presence:list`. A frame must fit in every bucket that counts it.
 */
export interface RateScopeOptions {
  all?: RateClassOptions | false;
  publish?: RateClassOptions | false;
  join?: RateClassOptions | false;
  presence?: RateClassOptions | false;
}

/** Inbound rate limits: a frame over a limit is answered `rate_limited` and dropped. */
export interface RateLimitOptions {
  /**
   * Buckets of each connection. Default: all 100 frames (refill 50/s) and 2 × maxFrameBytes bytes
   * (refill maxFrameBytes/s); publish 50 (20/s); join 50 (10/s); presence 20 (5/s).
   */
  connection?: RateScopeOptions | false;
  /**
   * Buckets shared by every connection of one clientId on this node (not used for anonymous
   * connections, whose clientId is their connectionId). Default: three times the connection's.
   */
  client?: RateScopeOptions | false;
  /** A connection answered `rate_limited` this many times within `breachWindow` is closed with 1008. Default `20`. */
  maxBreaches?: number;
  /** Milliseconds over which breaches are counted. Default `10000`. */
  breachWindow?: number;
}

/** Limits against abuse. `0` turns a count limit off. */
export interface LimitsOptions {
  /** Most open connections on this node; more get 429 at the upgrade. Default `10000`. */
  maxConnections?: number;
  /**
   * Most open connections from one IP address (the client's, see `trustProxy`); more get 429. Default `0`
   * (no limit): behind a proxy that is not trusted every client has the proxy's address, and a limit would
   * cap them all together. With `trustProxy` off, an address holding more than 100 connections is logged
   * (a warning, at most once in 10 minutes per address) as a likely proxy.
   */
  maxConnectionsPerIp?: number;
  /** Most open connections of one clientId on this node; more get 429. Default `20`. */
  maxConnectionsPerClient?: number;
  /** Most channels one connection may be a member of; another join is answered `limit`. Default `100`. */
  maxChannelsPerConnection?: number;
  /**
   * Most bytes waiting to be written to one connection. A frame that would go past it (with something
   * already waiting) is not queued; the connection is closed with 4002 (slow consumer). Default `4194304` (4 MiB).
   */
  maxPendingBytes?: number;
  /** Deepest nesting of objects and arrays in a frame (the frame object counts as one); deeper is `bad_frame`. Default `32`. */
  maxDepth?: number;
  /** Milliseconds the upgrade checks (middleware, `authenticate`) may take; slower upgrades get 503. Default `10000`. */
  handshakeTimeout?: number;
  /** A connection that sends no frame but heartbeats for this many milliseconds is closed with 4003; `0` never. Default `0`. */
  idleTimeout?: number;
  /**
   * The proxies whose `proxyHeader` is believed. The client's address is the socket's unless that is a
   * trusted proxy; then the header is read from its right end through every trusted proxy, and the first
   * address that is not one is the client. Default `false`: the socket's address, headers ignored.
   * - a list of addresses and CIDR ranges, IPv4 or IPv6 (`['10.0.0.0/8', '2001:db8::/32', '203.0.113.7']`;
   *   an IPv4 entry also covers its IPv4-mapped IPv6 form), and the names `'loopback'` (127.0.0.0/8, ::1),
   *   `'private'` (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, fc00::/7) and `'linklocal'` (169.254.0.0/16, fe80::/10);
   * - `true`: `['loopback', 'private']`, for a server its clients reach only through its proxies (a client
   *   on a private address reaching it directly could name any address);
   * - a function `(address) => boolean`, given each hop's address (IPv4 dotted, IPv6 as `2001:db8::1`);
   *   one that throws trusts nobody.
   */
  trustProxy?: TrustProxy;
  /**
   * The header trusted proxies name the client in: `'x-forwarded-for'` (`X-Forwarded-For: client, proxy1`)
   * or `'forwarded'` (RFC 7239: `Forwarded: for=client, for="[2001:db8::1]:4711"`). One only: a proxy
   * passes the other on as the client sent it. Default `'x-forwarded-for'`.
   */
  proxyHeader?: ProxyHeader;
}

/** The header a proxy names the address it received a request from in. */
export type ProxyHeader = 'x-forwarded-for' | 'forwarded';

/** Trusted proxies: `false`, `true`, a list of addresses, CIDR ranges and range names, or a check (see `LimitsOptions.trustProxy`). */
export type TrustProxy = boolean | readonly string[] | ((address: string) => boolean);

/**
 * `permessage-deflate`: smaller frames on the wire for CPU and memory on the server. Without context
 * takeover (the default), a message is compressed once for every connection it goes to that negotiated
 * the same settings, and only when it pays: at least `threshold` bytes, and compressed to at most 0.9 of
 * its size (else it goes out uncompressed, which the extension allows). Sizes that recently did not
 * compress are sent uncompressed for a while (8 to 256 messages of that size class) before another try.
 * Messages over 64 KiB are compressed per connection off the event loop, as `ws` does.
 */
export interface CompressionOptions {
  /** Messages smaller than this many bytes go out uncompressed. Default `1024`. */
  threshold?: number;
  /** zlib level, 1 (fastest) to 9 (smallest). Default `3`. */
  level?: number;
  /** zlib memLevel, 1 to 9: memory of each compressor. Default `8`. */
  memLevel?: number;
  /** Largest LZ77 window the server compresses with, 9 to 15 bits (smaller: less memory per connection). Default `15`. */
  windowBits?: number;
  /**
   * Keep each connection's compression context between messages: a better ratio, but memory held per
   * connection, and each connection compresses every message on its own (a broadcast is compressed once
   * per member, not once for all). Default `false`.
   */
  contextTakeover?: boolean;
  /** Most compressions and decompressions running at once on zlib's thread pool (per connection ones: see above). Default `10`. */
  concurrency?: number;
}
