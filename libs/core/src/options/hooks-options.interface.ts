/** What a hook queue does with a new event when it already holds `queueSize`. */
export type HookOverflow = 'drop-oldest' | 'drop-newest';

/**
 * How hooks (`@OnConnection`, `@OnConnectionState`, `@OnPresence`, `@OnChannel`) run. Each event stream
 * (`connection$`, `connectionState$`, `presence$`, `channel$`, `message$`) has one queue: its events run
 * their hooks in the order they came, one event after the other, while the streams run independently of
 * each other and of the frames.
 */
export interface HooksOptions {
  /** Most events one stream's queue holds waiting for its hooks; one more is an overflow. Default `10000`. */
  queueSize?: number;
  /**
   * What an overflow drops: `'drop-oldest'` (the longest waiting event, so the hooks catch up with the
   * present) or `'drop-newest'` (the event that arrives). Either way it is counted
   * (`realtime_hook_events_dropped_total`) and logged, at most once a minute per queue. Default `'drop-oldest'`.
   */
  overflow?: HookOverflow;
  /**
   * ms a hook's promise may take before its queue goes on without it: the hook is logged and left to finish
   * (it is not cancelled), the next hooks run. `0`: wait as long as it takes (a stuck hook then stops its
   * queue, which overflows). Default `10000`.
   */
  timeout?: number;
}
