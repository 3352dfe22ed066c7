import { performance } from 'perf_hooks';
import type { Observable, Subscription } from 'rxjs';
import type { RealtimeLogger } from '../logging/realtime.logger';
import type { ResolvedHooksOptions } from '../options/hooks-options.resolver';
import { HOOK_FAILED, HOOK_QUEUE_OVERFLOW, HOOK_STREAM_FAILED, HOOK_TIMED_OUT } from '../realtime.messages';
import { BoundedQueue } from './hook.queue';
import { HOOK_QUEUE_WARNING_INTERVAL } from './hooks.constants';

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

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}

/**
 * The hooks of one stream, and its queue. The stream only queues its events; they run one after the
 * other, in order, each through the matching hooks one after the other, each failure contained. A full
 * queue drops an event by `overflow`; a hook slower than `timeout` is left behind.
 */
export class HookChain<E> {
  private readonly hooks: BoundHook<E>[] = [];
  private readonly queue: BoundedQueue<E>;
  private draining = false;
  private current?: BoundHook<E>;
  private currentSince = 0;
  private warnedAt = -Infinity;
  private deadline?: NodeJS.Timeout;
  /** Events the full queue dropped, since the start. */
  dropped = 0;
  /** Set by `RealtimeMetricsModule`; none by default. */
  timer?: HookTimer;

  constructor(
    readonly stream: string,
    private readonly describe: (event: E) => string,
    private readonly logger: RealtimeLogger,
    private readonly options: ResolvedHooksOptions,
  ) {
    this.queue = new BoundedQueue(options.queueSize, options.overflow);
  }

  get size(): number {
    return this.hooks.length;
  }

  /** Events waiting for their hooks, the one running excluded. */
  get depth(): number {
    return this.queue.length;
  }

  add(hook: BoundHook<E>): void {
    // After every hook of equal or higher priority, so that ties keep discovery order.
    const at = this.hooks.findIndex((other) => other.priority < hook.priority);
    this.hooks.splice(at === -1 ? this.hooks.length : at, 0, hook);
  }

  listen(source: Observable<E>): Subscription {
    return source.subscribe({
      next: (event) => this.enqueue(event),
      // Without a handler RxJS rethrows asynchronously and takes the process down.
      error: (error) => this.logger.error(HOOK_STREAM_FAILED(this.stream), error),
    });
  }

  /** At shutdown: no timeout fires after it; a hook still running is left to finish. */
  stop(): void {
    clearTimeout(this.deadline);
  }

  /** Queues an event that some hook matches; no hook runs in the emitter's call. */
  private enqueue(event: E): void {
    if (!this.wanted(event)) return;
    if (!this.queue.push(event)) this.overflowed();
    if (this.draining) return;
    this.draining = true;
    queueMicrotask(() => void this.drain());
  }

  private wanted(event: E): boolean {
    for (const hook of this.hooks) if (hook.matches(event)) return true;
    return false;
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) await this.run(this.queue.shift()!);
    } finally {
      this.draining = false;
    }
  }

  private overflowed(): void {
    this.dropped++;
    const now = performance.now();
    if (now - this.warnedAt < HOOK_QUEUE_WARNING_INTERVAL) return;
    this.warnedAt = now;
    const running = this.current && { hook: this.current.name, ms: Math.round(now - this.currentSince) };
    const which = this.options.overflow === 'drop-oldest' ? 'oldest' : 'newest';
    this.logger.warn(HOOK_QUEUE_OVERFLOW(this.stream, this.options.queueSize, which, this.dropped, running));
  }

  private async run(event: E): Promise<void> {
    for (const hook of this.hooks) {
      if (!hook.matches(event)) continue;
      try {
        if (hook.filter && !hook.filter(event)) continue;
        await this.runHook(hook, event);
      } catch (error) {
        this.logger.error(HOOK_FAILED(hook.name, this.describe(event)), error);
      }
    }
  }

  private async runHook(hook: BoundHook<E>, event: E): Promise<void> {
    this.current = hook;
    this.currentSince = performance.now();
    try {
      const result = hook.run(event);
      if (isPromiseLike(result)) await (this.options.timeout > 0 ? this.within(hook, event, result) : result);
    } finally {
      this.current = undefined;
      this.timer?.(hook.name, (performance.now() - this.currentSince) / 1000);
    }
  }

  /** Settles with the hook's promise, or after `timeout` ms; a rejection after that is still logged. */
  private within(hook: BoundHook<E>, event: E, pending: PromiseLike<unknown>): Promise<void> {
    const { timeout } = this.options;
    return new Promise<void>((resolve, reject) => {
      let late = false;
      const timer = (this.deadline = setTimeout(() => {
        late = true;
        this.logger.warn(HOOK_TIMED_OUT(hook.name, this.describe(event), timeout, this.stream));
        resolve();
      }, timeout));
      timer.unref();
      pending.then(
        () => {
          clearTimeout(timer);
          resolve();
        },
        (error: unknown) => {
          clearTimeout(timer);
          if (late) this.logger.error(HOOK_FAILED(hook.name, this.describe(event)), error);
          else reject(error);
        },
      );
    });
  }
}
