import type { HeartbeatSettings } from '@nest-realtime/protocol';

export interface HeartbeatHooks {
  /** Send `connection:ping`. */
  ping(): void;
  /** Nothing was heard for longer than `timeout`: the connection is dead. */
  dead(silentMs: number): void;
}

/**
 * Watches a connection's signs of life (any frame, and ping frames where the transport shows them).
 * Where ping frames are hidden it sends `connection:ping` every `interval`; where they are shown it only
 * probes after a whole silent `interval`. Silence beyond `timeout` calls `dead`.
 */
export class HeartbeatMonitor {
  private timer?: ReturnType<typeof setInterval>;
  private lastSeen = 0;
  private lastPing = 0;

  constructor(
    private settings: HeartbeatSettings,
    private readonly seesPings: boolean,
    private readonly hooks: HeartbeatHooks,
  ) {}

  start(): void {
    this.lastSeen = this.lastPing = Date.now();
    this.watch();
  }

  /** The server changed the values in force (`connection:heartbeat`): use them from now on. */
  adopt(settings: HeartbeatSettings): void {
    this.settings = { interval: settings.interval, timeout: settings.timeout };
    if (this.timer === undefined) return;
    clearInterval(this.timer);
    this.watch();
  }

  seen(): void {
    this.lastSeen = Date.now();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private watch(): void {
    // Checking twice per interval bounds how late a dead connection is noticed to half an interval.
    this.timer = setInterval(() => this.check(), Math.max(1, Math.floor(this.settings.interval / 2)));
  }

  private check(): void {
    const now = Date.now();
    const silent = now - this.lastSeen;
    if (silent > this.settings.timeout) {
      this.stop();
      this.hooks.dead(silent);
      return;
    }
    const due = now - this.lastPing >= this.settings.interval;
    if (due && (!this.seesPings || silent >= this.settings.interval)) {
      this.lastPing = now;
      this.hooks.ping();
    }
  }
}
