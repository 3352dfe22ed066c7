/** Something with a deadline, that keeps its own place in a `StatusDeadlines` heap (-1: not in it). */
export interface Deadline {
  due: number;
  index: number;
}

/**
 * A min-heap of deadlines, earliest first. Each entry knows its index, so it is moved or taken out in
 * O(log n) without a search and without leaving a dead entry behind.
 */
export class StatusDeadlines<D extends Deadline> {
  private readonly heap: D[] = [];

  get size(): number {
    return this.heap.length;
  }

  /** The earliest entry, if any. */
  peek(): D | undefined {
    return this.heap[0];
  }

  /** Puts an entry in, or moves it to its place after its `due` changed. */
  schedule(entry: D): void {
    if (entry.index < 0) {
      entry.index = this.heap.length;
      this.heap.push(entry);
    }
    if (!this.up(entry.index)) this.down(entry.index);
  }

  remove(entry: D): void {
    const index = entry.index;
    if (index < 0) return;
    entry.index = -1;
    const last = this.heap.pop()!;
    if (last === entry) return;
    this.heap[index] = last;
    last.index = index;
    if (!this.up(index)) this.down(index);
  }

  /** Takes out the earliest entry if it is due at `now`. */
  popDue(now: number): D | undefined {
    const first = this.heap[0];
    if (first === undefined || first.due > now) return undefined;
    this.remove(first);
    return first;
  }

  clear(): void {
    for (const entry of this.heap) entry.index = -1;
    this.heap.length = 0;
  }

  /** Moves the entry at `index` towards the root while it is earlier than its parent; whether it moved. */
  private up(index: number): boolean {
    const heap = this.heap;
    const entry = heap[index];
    let at = index;
    while (at > 0) {
      const parentAt = (at - 1) >> 1;
      const parent = heap[parentAt];
      if (parent.due <= entry.due) break;
      heap[at] = parent;
      parent.index = at;
      at = parentAt;
    }
    heap[at] = entry;
    entry.index = at;
    return at !== index;
  }

  private down(index: number): void {
    const heap = this.heap;
    const entry = heap[index];
    const length = heap.length;
    let at = index;
    for (;;) {
      const left = 2 * at + 1;
      if (left >= length) break;
      const right = left + 1;
      const child = right < length && heap[right].due < heap[left].due ? right : left;
      if (heap[child].due >= entry.due) break;
      heap[at] = heap[child];
      heap[at].index = at;
      at = child;
    }
    heap[at] = entry;
    entry.index = at;
  }
}
