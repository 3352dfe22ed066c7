import type { LogLevel, Type } from '@nestjs/common';
import type { IncomingMessage } from 'http';
import type { ChannelRule } from '../services/channel/channel.options';
import type { ConnectionInfo } from '../services/connection/connection.service';
import type { RealtimeEngine } from '../engine/realtime-engine.interface';
import type { RealtimeMiddleware } from '../pipeline/middleware/realtime-middleware.interface';
import type { DrainOptions } from './drain-options.interface';
import type { HooksOptions } from './hooks-options.interface';
import type { CompressionOptions, LimitsOptions, OriginOptions, RateLimitOptions } from './security-options.interface';

/** What `authenticate` returns for an accepted upgrade. */
export interface AuthResult {
  /** The identity of the user; several connections may share it. */
  clientId: string;
  /** Anything the application wants to keep with the connection (roles, token expiry…). */
  claims?: Record<string, unknown>;
  /** When the credentials expire, in epoch milliseconds: the connection is closed with 1008 then, unless renewed with `connection:reauth`. */
  expiresAt?: number;
}

/**
 * Decides who is connecting, before any frame. Return an `AuthResult` to accept; return `null`,
 * `undefined` or `false`, or throw, to refuse the upgrade with 401.
 */
export type Authenticate = (
  request: IncomingMessage,
) => AuthResult | null | undefined | false | Promise<AuthResult | null | undefined | false>;

/**
 * Renews the credentials of an open connection from the token of a `connection:reauth` frame. Return
 * an `AuthResult` of the same clientId (its `expiresAt` becomes the connection's); return nothing, or
 * throw, to refuse.
 */
export type Reauthenticate = (
  token: string,
  connection: ConnectionInfo,
) => AuthResult | null | undefined | false | Promise<AuthResult | null | undefined | false>;

export interface HeartbeatOptions {
  /** Milliseconds between server ping frames; announced in the welcome frame. Default `25000`. */
  interval?: number;
  /** A connection silent (no pong, no frame) for this long is closed with 4000. Default `60000`. */
  timeout?: number;
  /**
   * Stretch the interval while the event loop lags; `false` keeps it fixed. Either way the pings are
   * spread over the interval in slices (at least 10, at most 250 pings each). Default `false`.
   */
  adaptive?: AdaptiveHeartbeatOptions | false;
}

/**
 * The adaptive heartbeat: while the event loop's lag (99th percentile over the interval in force) exceeds
 * `lagThreshold`, the interval doubles, up to `maxInterval`; after three intervals with the lag under half
 * the threshold, it halves, down to `interval`. The timeout stretches in proportion. Each change is
 * announced to every connection as `connection:heartbeat` `{interval, timeout}`.
 */
export interface AdaptiveHeartbeatOptions {
  /** Longest interval, in ms; at least `interval`. Default `4 × interval`. */
  maxInterval?: number;
  /** Event-loop lag, in ms, above which the interval stretches. Default `100`. */
  lagThreshold?: number;
}

export interface PresenceOptions {
  /** Largest presence meta, as JSON bytes. Default `2048`. */
  maxMetaBytes?: number;
  /** Deepest nesting of objects and arrays in a meta. Default `4`. */
  maxMetaDepth?: number;
  /** Changes within this many milliseconds go out as one `presence:diff`; `0` sends each at once. Default `20`. */
  batchMs?: number;
}

export interface StateMachineOptions {
  /** Every state a connection can be in. Default `['connected', 'idle', 'reconnecting', 'disconnected', 'error']`. */
  states?: string[];
  /** The state of a new connection. Default `'connected'`. */
  initial?: string;
  /** The state a closed connection ends in; reachable from every state. Default `'disconnected'`. */
  terminal?: string;
  /**
   * Allowed transitions, `from → [to…]`. Default: connected ↔ idle, connected/idle → reconnecting,
   * reconnecting → connected, error → reconnecting, anything → error and disconnected.
   */
  transitions?: Record<string, string[]>;
  /** States a client may ask for with `connection:state`. Default `['connected', 'idle']`. */
  clientStates?: string[];
  /** State changes kept per connection. Default `20`. */
  historySize?: number;
  /**
   * Asked, in this order, before a client's (`connection:state`), the server's
   * (`ConnectionStateService.transition`) or a timeout's transition that the machine allows; the first
   * refusal wins. Functions, objects with `decide`, or classes with `decide` that Nest instantiates with
   * their dependencies. Opening and closing a connection ask none. Default `[]`.
   */
  policies?: Array<StatePolicy | StatePolicyProvider | Type<StatePolicyProvider>>;
  /**
   * Per-state time limits, `state → {after, to}`: a connection that stays `after` ms in the state moves to
   * `to` with reason `'timeout'`. `to` must be allowed from the state; the terminal state takes none.
   * Default `{}` (no state times out).
   */
  timeouts?: Record<string, StateTimeout>;
}

/** A transition about to happen, as state policies see it. */
export interface StateChangeRequest {
  connectionId: string;
  clientId: string;
  claims: Record<string, unknown>;
  from: string;
  to: string;
  reason?: string;
  /** Who asked: the client (`connection:state`), server code (`ConnectionStateService.transition`) or a state's timeout. */
  by: 'client' | 'server' | 'timeout';
}

/** `true` allows the transition; `false` refuses it, a string refuses it with that reason. */
export type StatePolicyDecision = boolean | string;

/** Allows or refuses a transition; see `StatePolicyDecision`. */
export type StatePolicy = (change: StateChangeRequest) => StatePolicyDecision | Promise<StatePolicyDecision>;

/** A state policy as a provider: a class Nest instantiates, or an object. */
export interface StatePolicyProvider {
  decide(change: StateChangeRequest): StatePolicyDecision | Promise<StatePolicyDecision>;
}

export interface StateTimeout {
  /** Milliseconds in the state before the move; an integer ≥ 1. */
  after: number;
  /** The state to move to; the machine must allow it from the timed state. */
  to: string;
}

export interface CleanupOptions {
  /** Milliseconds between sweeps. Default `1000`. */
  interval?: number;
  /** Most tasks run in one batch. Default `500`. */
  batchSize?: number;
  /** Retries of a failed task before it is counted as failed. Default `3`. */
  maxRetries?: number;
}

export interface ResumeOptions {
  /**
   * ms after a connection closed during which a new connection of the same client may resume it
   * (`connection:resume`): its channels, presence metas, and the messages it missed in channels that keep
   * history. Announced in the welcome. Default `120000` (2 minutes).
   */
  ttl?: number;
}

/** Limits of group states (`SharedStateService.group(name)`): groups have no channel rule of their own. */
export interface SharedStateGroupOptions {
  /** Most keys one group's state holds. Default `1000`. */
  maxKeys?: number;
  /** How many last changes of a group's state are kept. Default `100`. */
  log?: number;
}

/**
 * Shared states (channel rules' `state`, `SharedStateService`): what holds for every state. A channel's own
 * limits (who writes, `maxKeys`, `log`, `inherit`) are in its rule's `state`.
 */
export interface SharedStateOptions {
  /** What separates the levels of a scope name (`org:acme/team:web`): 1 to 4 printable characters. Default `'/'`. */
  separator?: string;
  /** Largest value of a key, as JSON bytes. Default `16384` (16 KiB). */
  maxValueBytes?: number;
  /** Deepest nesting of objects and arrays in a value. Default `8`. */
  maxValueDepth?: number;
  /** Longest `ttl` a write may give a key, in ms. Default `86400000` (a day). */
  maxTtl?: number;
  /** ms between two sweeps that remove the keys whose `ttl` ran out (and tell the members). Default `1000`. */
  expiryInterval?: number;
  /** Limits of group states. Defaults: see `SharedStateGroupOptions`. */
  groups?: SharedStateGroupOptions;
}

export interface RealtimeModuleOptions {
  /** The WebSocket path on the application's HTTP server. Default `'/realtime'`. */
  path?: string;
  /** Identity at the upgrade. Default: none, every connection is anonymous and its clientId is its connectionId. */
  authenticate?: Authenticate;
  /** Renews credentials on `connection:reauth`. Default: none, `connection:reauth` is answered `unauthorized`. */
  reauthenticate?: Reauthenticate;
  heartbeat?: HeartbeatOptions;
  /** Channel behaviour by name pattern; the first rule that matches wins. Default `[]` (every channel: no presence, members publish). */
  channels?: ChannelRule[];
  presence?: PresenceOptions;
  state?: StateMachineOptions;
  /** Shared states of channels, scopes and groups (the `state` of a channel rule is each channel's own). Defaults: see `SharedStateOptions`. */
  sharedState?: SharedStateOptions;
  cleanup?: CleanupOptions;
  /** Largest inbound frame in bytes; a larger one closes the connection with 1009. Default `1048576` (1 MiB). */
  maxFrameBytes?: number;
  /** Where memberships, presence and fan-out live: `new MemoryEngine()` (one node) or `new RedisEngine({url})` (many). Default: a new in-memory engine. */
  engine?: RealtimeEngine;
  /** Session resume; `false` turns it off (no `resume` in the welcome). Default: on (see `ResumeOptions`). */
  resume?: ResumeOptions | false;
  /** How a drain closes this node's connections (`ConnectionService.drain`), and whether the shutdown drains. Defaults: see `DrainOptions`. */
  drain?: DrainOptions;
  /** How hooks run: a bounded queue per event stream, its overflow policy and a timeout per hook. Defaults: see `HooksOptions`. */
  hooks?: HooksOptions;
  /** The library's log levels, through Nest's `Logger`. Default `['log', 'warn', 'error', 'fatal']`. */
  logLevels?: LogLevel[];
  /** Browser origins allowed to connect; `false` checks none. Default: the server's own origin and clients without an Origin header. */
  origins?: OriginOptions | false;
  /** Inbound rate limits; `false` turns them off. Default: on (see `RateLimitOptions`). */
  rateLimit?: RateLimitOptions | false;
  /** Connection, channel, outbound-buffer, nesting and time limits. Defaults: see `LimitsOptions`. */
  limits?: LimitsOptions;
  /** `permessage-deflate`; `true` for the defaults of `CompressionOptions`. Default `false`. */
  compression?: boolean | CompressionOptions;
  /**
   * The application's middleware, run in this order after the library's own (metrics, logging, origin,
   * connection limits, authentication, rate limit): instances, or classes that Nest instantiates with
   * their dependencies. Default `[]`.
   */
  middleware?: Array<RealtimeMiddleware | Type<RealtimeMiddleware>>;
}
