/** How the client waits between connection attempts. Every delay is drawn with full jitter. */
export interface ReconnectOptions {
  /** ms: the window of the first attempt's delay, which grows by `factor` per attempt. Default `500`. */
  baseDelay?: number;
  /** Growth of the window from one attempt to the next (≥ 1). Default `2`. */
  factor?: number;
  /** ms: the largest window. Default `20000`. */
  maxDelay?: number;
  /** Failed attempts in a row before the client gives up (state `disconnected`). Default `Infinity`. */
  maxAttempts?: number;
  /** ms a connection must stay up for the schedule to start again from `baseDelay`. Default `10000`. */
  stableAfter?: number;
  /**
   * ms: after close 1012 (service restart) the first delay is drawn from at least this window, so the
   * clients of a restarted server come back spread out instead of all at once. Default `5000`.
   */
  restartJitter?: number;
  /** A source of numbers in [0, 1); for tests. Default `Math.random`. */
  random?: () => number;
}

export type ResolvedReconnectOptions = Required<ReconnectOptions>;

export const RECONNECT_DEFAULTS: ResolvedReconnectOptions = {
  baseDelay: 500,
  factor: 2,
  maxDelay: 20_000,
  maxAttempts: Infinity,
  stableAfter: 10_000,
  restartJitter: 5_000,
  random: Math.random,
};
