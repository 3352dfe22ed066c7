import { Inject, Injectable } from '@nestjs/common';
import { performance } from 'perf_hooks';
import { ConnectionLifecycle } from '../../services/connection/connection.lifecycle';
import type { RealtimeConnection } from '../../services/connection/realtime-connection';
import type { ResolvedRealtimeOptions } from '../../options/realtime-options.resolver';
import { RATE_CLASSES, RateClass, ResolvedRateLimit, ResolvedRateScope } from '../../options/security-options.resolver';
import { CloseCode } from '@nest-realtime/protocol';
import { ProtocolEvent } from '@nest-realtime/protocol';
import { REALTIME_OPTIONS } from '../../realtime.constants';
import type { InboundFrame } from './inbound-frame';
import type { BuiltInMiddleware } from './realtime-middleware.interface';
import { TokenBucket } from './token-bucket';
import type { UpgradeContext } from '../../transport/upgrade/upgrade-context';

const CLASS_OF_EVENT = new Map<string, RateClass>([
  [ProtocolEvent.ChannelPublish, 'publish'],
  [ProtocolEvent.DirectSend, 'publish'],
  [ProtocolEvent.ChannelJoin, 'join'],
  [ProtocolEvent.ChannelLeave, 'join'],
  [ProtocolEvent.PresenceUpdate, 'presence'],
  [ProtocolEvent.PresenceList, 'presence'],
]);

/**
 * The buckets of one scope's options, shared by every connection (or clientId) of the scope; each of
 * them keeps only the buckets' states, in one array: the time they were counted at, then each bucket's
 * tokens. Every bucket of an array is refilled when any is used, so that one time serves them all.
 */
class ScopeRules {
  private readonly buckets: TokenBucket[] = [];
  /** Per class: where its frames and bytes buckets' tokens are in a state array (-1: no such bucket). */
  private readonly starts: Partial<Record<RateClass, { frames: number; bytes: number }>> = {};

  constructor(scope: ResolvedRateScope) {
    // Bucket i's tokens are at i + 1, behind the time.
    const add = (options?: { burst: number; perSecond: number }) =>
      options ? this.buckets.push(new TokenBucket(options.burst, options.perSecond)) : -1;
    for (const rateClass of RATE_CLASSES) {
      const options = scope[rateClass];
      if (options) this.starts[rateClass] = { frames: add(options.frames), bytes: add(options.bytes) };
    }
  }

  /**
   * The states of a scope's buckets, all full as of `now`, then `extra` zeros for the caller's own
   * numbers: an array of exactly that size (one built by pushing would get room for 17 numbers, and a
   * connection keeps it for its life).
   */
  fill(now: number, extra: number): number[] {
    const pushed: number[] = [now];
    for (const bucket of this.buckets) pushed.push(bucket.burst);
    for (let i = 0; i < extra; i++) pushed.push(0);
    return pushed.slice();
  }

  /** 0 when the frame fits in every bucket that counts it, otherwise the ms until it would. */
  admit(states: number[], rateClass: RateClass | undefined, bytes: number, now: number): number {
    // A clock that goes backwards refills nothing.
    const elapsed = now - states[0];
    if (elapsed > 0) {
      for (let i = 0; i < this.buckets.length; i++) this.buckets[i].refill(states, i + 1, elapsed);
      states[0] = now;
    }
    const wait = this.take(states, 'all', bytes);
    return wait === 0 && rateClass !== undefined ? this.take(states, rateClass, bytes) : wait;
  }

  private take(states: number[], rateClass: RateClass, bytes: number): number {
    const starts = this.starts[rateClass];
    if (!starts) return 0;
    const wait = starts.frames < 0 ? 0 : this.buckets[starts.frames - 1].take(states, starts.frames, 1);
    return wait === 0 && starts.bytes >= 0 ? this.buckets[starts.bytes - 1].take(states, starts.bytes, bytes) : wait;
  }
}

/*
 * The states are plain arrays of numbers, with no object around them (thousands of connections):
 * - a connection's: its buckets' states, then its breaches, the start of its breach window, and 1 when
 *   it also counts against its clientId's buckets (0 otherwise);
 * - a clientId's: its buckets' states, then how many connections share them.
 * The trailing numbers are found from the end.
 */
type ConnectionStates = number[];
type ClientStates = number[];
const CONNECTION_EXTRA = 3;
const BREACHES = 3;
const WINDOW_START = 2;
const HAS_CLIENT = 1;
const CLIENT_EXTRA = 1;
const CONNECTIONS = 1;

function hasBuckets(scope: ResolvedRateScope): boolean {
  return Object.keys(scope).length > 0;
}

/**
 * Token buckets per connection and per clientId, by event class, for frames and for bytes. A frame
 * over a limit is answered `rate_limited` (with `details.retryAfter` in ms) and dropped; a connection
 * that goes past `maxBreaches` of them within `breachWindow` is closed with 1008.
 */
@Injectable()
export class RateLimitMiddleware implements BuiltInMiddleware {
  readonly enabled: boolean;
  private readonly limits?: ResolvedRateLimit;
  private readonly connectionRules?: ScopeRules;
  private readonly clientRules?: ScopeRules;
  /** Whether connections of a known clientId also count against its buckets. */
  private readonly perClient: boolean = false;
  private readonly connections = new WeakMap<RealtimeConnection, ConnectionStates>();
  private readonly clients = new Map<string, ClientStates>();

  constructor(
    @Inject(REALTIME_OPTIONS) options: ResolvedRealtimeOptions,
    private readonly lifecycle: ConnectionLifecycle,
  ) {
    const limits = options.rateLimit;
    this.enabled = limits !== false && (hasBuckets(limits.connection) || hasBuckets(limits.client));
    if (limits) {
      this.limits = limits;
      this.connectionRules = new ScopeRules(limits.connection);
      this.clientRules = new ScopeRules(limits.client);
      this.perClient = hasBuckets(limits.client);
    }
  }

  opened(connection: RealtimeConnection, context: UpgradeContext): void {
    const now = performance.now();
    const own = this.connectionRules!.fill(now, CONNECTION_EXTRA);
    own[own.length - WINDOW_START] = now;
    if (context.identity && this.perClient) {
      let client = this.clients.get(connection.clientId);
      if (!client) this.clients.set(connection.clientId, (client = this.clientRules!.fill(now, CLIENT_EXTRA)));
      client[client.length - CONNECTIONS]++;
      own[own.length - HAS_CLIENT] = 1;
    }
    this.connections.set(connection, own);
  }

  /** The buckets of a connection's clientId, when it counts against them. */
  private clientStates(connection: RealtimeConnection, own: ConnectionStates): ClientStates | undefined {
    return own[own.length - HAS_CLIENT] === 1 ? this.clients.get(connection.clientId) : undefined;
  }

  frame(context: InboundFrame, next: () => unknown): unknown {
    const own = this.connections.get(context.connection);
    if (!own) return next();
    const now = performance.now();
    const rateClass = context.frame && CLASS_OF_EVENT.get(context.frame.event);
    let wait = this.connectionRules!.admit(own, rateClass, context.bytes, now);
    const client = wait === 0 ? this.clientStates(context.connection, own) : undefined;
    if (client) wait = this.clientRules!.admit(client, rateClass, context.bytes, now);
    if (wait === 0) return next();
    const retryAfter = Math.ceil(wait);
    context.refuse('rate_limited', `Too many frames: slow down, and retry in ${retryAfter} ms.`, { retryAfter });
    if (this.breached(own, now)) {
      this.lifecycle.kick(context.connection, CloseCode.PolicyViolation, 'rate limit exceeded again and again');
    }
    return undefined;
  }

  closed(connection: RealtimeConnection): void {
    const own = this.connections.get(connection);
    if (!own) return;
    this.connections.delete(connection);
    const client = this.clientStates(connection, own);
    if (client && --client[client.length - CONNECTIONS] === 0) this.clients.delete(connection.clientId);
  }

  private breached(own: ConnectionStates, now: number): boolean {
    const { maxBreaches, breachWindow } = this.limits!;
    if (now - own[own.length - WINDOW_START] > breachWindow) {
      own[own.length - WINDOW_START] = now;
      own[own.length - BREACHES] = 0;
    }
    return ++own[own.length - BREACHES] > maxBreaches;
  }
}
