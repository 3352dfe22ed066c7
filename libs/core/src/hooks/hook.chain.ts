import { performance } from 'perf_hooks';
import type { Observable, Subscription } from 'rxjs';
import type { RealtimeLogger } from '../logging/realtime.logger';
import { HOOK_FAILED, HOOK_STREAM_FAILED } from '../realtime.messages';

/** A hook method bound to its instance. */
export interface BoundHook<E> {
  /** `Class.method`, for logs. */
  readonly name: string;
  readonly priority: number;
  /** What the decorator asked for: event type, channel pattern, states. */
  matches(event: E): boolean;
  readonly filter?: (event: E) => boolean;
  run(event: E): unknown;
}

/** Told how long a hook's run took (awaited, in seconds), when something measures it. */
export type HookTimer = (hook: string, seconds: number) => void;

/** The hooks of one stream: for each event, the matching ones run one after the other, each failure contained. */
export class HookChain<E> {
  private readonly hooks: BoundHook<E>[] = [];
  /** Set by `RealtimeMetricsModule`; none by default, and then no clock is read. */
  timer?: HookTimer;

  constructor(
    readonly stream: string,
    private readonly describe: (event: E) => string,
    private readonly logger: RealtimeLogger,
  ) {}

  get size(): number {
    return this.hooks.length;
  }

  add(hook: BoundHook<E>): void {
    // After every hook of equal or higher priority, so that ties keep discovery order.
    const at = this.hooks.findIndex((other) => other.priority < hook.priority);
    this.hooks.splice(at === -1 ? this.hooks.length : at, 0, hook);
  }

  listen(source: Observable<E>): Subscription {
    return source.subscribe({
      next: (event) => void this.run(event),
      // Without a handler RxJS rethrows asynchronously and takes the process down.
      error: (error) => this.logger.error(HOOK_STREAM_FAILED(this.stream), error),
    });
  }

  /** Events are independent: a slow hook delays the later hooks of its own event only. */
  private async run(event: E): Promise<void> {
    for (const hook of this.hooks) {
      if (!hook.matches(event)) continue;
      try {
        if (hook.filter && !hook.filter(event)) continue;
        if (this.timer) await this.timed(hook, event, this.timer);
        else await hook.run(event);
      } catch (error) {
        this.logger.error(HOOK_FAILED(hook.name, this.describe(event)), error);
      }
    }
  }

  private async timed(hook: BoundHook<E>, event: E, timer: HookTimer): Promise<void> {
    const started = performance.now();
    try {
      await hook.run(event);
    } finally {
      timer(hook.name, (performance.now() - started) / 1000);
    }
  }
}
