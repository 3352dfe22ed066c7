import type { StateTimeout } from '../../options/realtime-options.interface';

/** One timer per connection, only while it is in a state with a timeout (`state.timeouts`). */
export class StateTimeouts {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly timeouts: Record<string, StateTimeout>,
    private readonly expired: (connectionId: string, state: string, timeout: StateTimeout) => void,
  ) {}

  /** Connections with a timer armed. */
  get armed(): number {
    return this.timers.size;
  }

  /** Disarms the timer of the state the connection left and arms the one of the state it entered, if any. */
  enter(connectionId: string, state: string): void {
    this.leave(connectionId);
    const timeout = this.timeouts[state];
    if (!timeout) return;
    const timer = setTimeout(() => {
      this.timers.delete(connectionId);
      this.expired(connectionId, state, timeout);
    }, timeout.after);
    timer.unref?.();
    this.timers.set(connectionId, timer);
  }

  leave(connectionId: string): void {
    const timer = this.timers.get(connectionId);
    if (timer === undefined) return;
    clearTimeout(timer);
    this.timers.delete(connectionId);
  }

  clear(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}
