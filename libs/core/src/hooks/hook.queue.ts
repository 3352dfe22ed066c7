import type { HookOverflow } from '../options/hooks-options.interface';

/** A first-in first-out queue of at most `capacity` items, which drops by `overflow` when full. */
export class BoundedQueue<T> {
  private readonly items: (T | undefined)[] = [];
  private head = 0;

  constructor(
    private readonly capacity: number,
    private readonly overflow: HookOverflow,
  ) {}

  get length(): number {
    return this.items.length - this.head;
  }

  /** Adds `item`; false when the queue was full and dropped an item (the oldest, or `item` itself). */
  push(item: T): boolean {
    if (this.length < this.capacity) {
      this.items.push(item);
      return true;
    }
    if (this.overflow === 'drop-oldest') {
      this.shift();
      this.items.push(item);
    }
    return false;
  }

  shift(): T | undefined {
    if (this.length === 0) return undefined;
    const item = this.items[this.head];
    this.items[this.head++] = undefined;
    if (this.head === this.items.length) {
      this.items.length = 0;
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      // Rarely, and in one move: shifting an array item by item is linear in its length.
      this.items.splice(0, this.head);
      this.head = 0;
    }
    return item;
  }
}
