import type { ListenerErrorHandler } from './typed.emitter';

export interface Subscription {
  unsubscribe(): void;
}

export type Observer<T> = ((value: T) => void) | { next(value: T): void };

/**
 * A value that can be read at any time and watched: `subscribe` calls the observer at once with the
 * current value, then on every change. It is an interop Observable (`from(value$)` works in RxJS).
 */
export interface ReadonlyObservableValue<T> {
  readonly value: T;
  subscribe(observer: Observer<T>): Subscription;
}

export class ObservableValue<T> implements ReadonlyObservableValue<T> {
  private readonly observers = new Set<(value: T) => void>();

  constructor(
    private current: T,
    private readonly onListenerError: ListenerErrorHandler,
    private readonly name: string,
  ) {}

  get value(): T {
    return this.current;
  }

  subscribe(observer: Observer<T>): Subscription {
    const next = typeof observer === 'function' ? observer : (value: T) => observer.next(value);
    this.observers.add(next);
    this.call(next, this.current);
    return { unsubscribe: () => this.observers.delete(next) };
  }

  /** Sets the value; observers hear of it only when it changed. Returns whether it did. */
  set(value: T): boolean {
    if (Object.is(value, this.current)) return false;
    this.current = value;
    for (const next of [...this.observers]) this.call(next, value);
    return true;
  }

  ['@@observable'](): this {
    return this;
  }

  private call(next: (value: T) => void, value: T): void {
    try {
      next(value);
    } catch (error) {
      this.onListenerError(error, this.name);
    }
  }
}
