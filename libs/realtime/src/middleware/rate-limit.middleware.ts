import { Inject, Injectable } from '@nestjs/common';
import { performance } from 'perf_hooks';
import { ConnectionLifecycle } from '../connection/connection.lifecycle';
import type { RealtimeConnection } from '../connection/realtime-connection';
import type { ResolvedRealtimeOptions } from '../options/realtime-options.resolver';
import { RATE_CLASSES, RateClass, ResolvedRateLimit, ResolvedRateScope } from '../options/security-options.resolver';
import { CloseCode } from '../protocol/close-codes';
import { ProtocolEvent } from '../protocol/protocol.events';
import { REALTIME_OPTIONS } from '../realtime.constants';
import type { InboundFrame } from './inbound-frame';
import type { BuiltInMiddleware } from './realtime-middleware.interface';
import { TokenBucket } from './token-bucket';
import type { UpgradeContext } from './upgrade-context';

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
 * them keeps only the buckets' states, in one array.
 */
class ScopeRules {
  private readonly buckets: TokenBucket[] = [];
  /** Per class: where its frames and bytes buckets start in a state array (-1: no such bucket). */
  private readonly starts: Partial<Record<RateClass, { frames: number; bytes: number }>> = {};

  constructor(scope: ResolvedRateScope) {
    const add = (options?: { burst: number; perSecond: number }) =>
      options ? 2 * (this.buckets.push(new TokenBucket(options.burst, options.perSecond)) - 1) : -1;
    for (const rateClass of RATE_CLASSES) {
      const options = scope[rateClass];
      if (options) this.starts[rateClass] = { frames: add(options.frames), bytes: add(options.bytes) };
    }
  }

  /** The states of a scope's buckets, all full as of `now`. */
  fill(now: number): number[] {
    const states: number[] = [];
    for (const bucket of this.buckets) bucket.fill(states, now);
    return states;
  }

  /** 0 when the frame fits in every bucket that counts it, otherwise the ms until it would. */
  admit(states: number[], rateClass: RateClass | undefined, bytes: number, now: number): number {
    const wait = this.take(states, 'all', bytes, now);
    return wait === 0 && rateClass !== undefined ? this.take(states, rateClass, bytes, now) : wait;
  }

  private take(states: number[], rateClass: RateClass, bytes: number, now: number): number {
    const starts = this.starts[rateClass];
    if (!starts) return 0;
    const wait = starts.frames < 0 ? 0 : this.buckets[starts.frames / 2].take(states, starts.frames, 1, now);
    return wait === 0 && starts.bytes >= 0 ? this.buckets[starts.bytes / 2].take(states, starts.bytes, bytes, now) : wait;
  }
}

interface ClientBuckets {
  states: number[];
  connections: number;
}

interface ConnectionBuckets {
  own: number[];
  client?: ClientBuckets;
  breaches: number;
  windowStart: number;
}

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
  private readonly connections = new WeakMap<RealtimeConnection, ConnectionBuckets>();
  private readonly clients = new Map<string, ClientBuckets>();

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
    }
  }

  opened(connection: RealtimeConnection, context: UpgradeContext): void {
    const limits = this.limits!;
    const now = performance.now();
    const state: ConnectionBuckets = { own: this.connectionRules!.fill(now), breaches: 0, windowStart: now };
    if (context.identity && hasBuckets(limits.client)) {
      let client = this.clients.get(connection.clientId);
      if (!client) this.clients.set(connection.clientId, (client = { states: this.clientRules!.fill(now), connections: 0 }));
      client.connections++;
      state.client = client;
    }
    this.connections.set(connection, state);
  }

  frame(context: InboundFrame, next: () => unknown): unknown {
    const state = this.connections.get(context.connection);
    if (!state) return next();
    const now = performance.now();
    const rateClass = context.frame && CLASS_OF_EVENT.get(context.frame.event);
    let wait = this.connectionRules!.admit(state.own, rateClass, context.bytes, now);
    if (wait === 0 && state.client) wait = this.clientRules!.admit(state.client.states, rateClass, context.bytes, now);
    if (wait === 0) return next();
    const retryAfter = Math.ceil(wait);
    context.refuse('rate_limited', `Too many frames: slow down, and retry in ${retryAfter} ms.`, { retryAfter });
    if (this.breached(state, now)) {
      this.lifecycle.kick(context.connection, CloseCode.PolicyViolation, 'rate limit exceeded again and again');
    }
    return undefined;
  }

  closed(connection: RealtimeConnection): void {
    const state = this.connections.get(connection);
    if (!state) return;
    this.connections.delete(connection);
    if (state.client && --state.client.connections === 0) this.clients.delete(connection.clientId);
  }

  private breached(state: ConnectionBuckets, now: number): boolean {
    const { maxBreaches, breachWindow } = this.limits!;
    if (now - state.windowStart > breachWindow) {
      state.windowStart = now;
      state.breaches = 0;
    }
    return ++state.breaches > maxBreaches;
  }
}
