/** What an `OccupancyTracker` reports: a key became occupied, or vacant, on every node as far as the count tells. */
export interface OccupancyListener {
  occupied(key: string): void;
  vacated(key: string): void;
  failed(error: unknown): void;
}

/**
 * Turns this node's joins and leaves of a key (a channel, a user in a channel) into `occupied` and
 * `vacated`, with the count on every node read after each first join and last leave of this node:
 * - the first local join reports `occupied` when the count holds no member of another node;
 * - the last local leave reports `vacated` when the count is 0.
 * Reads run one after another per key, so a key's reports keep the order of its events. With one node
 * every transition is reported once; with several, a join and a leave on two nodes in the same instant
 * (within one read) can each see the other and both stay silent, or both report.
 */
export class OccupancyTracker {
  /** This node's members of each key, as its events told. */
  private readonly local = new Map<string, number>();
  /** Keys this node reported occupied and has members of. */
  private readonly shown = new Set<string>();
  private readonly queues = new Map<string, Promise<void>>();

  constructor(
    private readonly count: (key: string) => Promise<number>,
    private readonly listener: OccupancyListener,
  ) {}

  joined(key: string): void {
    const before = this.local.get(key) ?? 0;
    this.local.set(key, before + 1);
    if (before === 0) this.serially(key, () => this.afterFirstJoin(key));
  }

  left(key: string): void {
    const after = Math.max(0, (this.local.get(key) ?? 0) - 1);
    if (after === 0) this.local.delete(key);
    else this.local.set(key, after);
    if (after === 0) this.serially(key, () => this.afterLastLeave(key));
  }

  /** Resolves once every read queued so far is done (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.queues.size > 0) await Promise.all(this.queues.values());
  }

  private async afterFirstJoin(key: string): Promise<void> {
    const count = await this.count(key);
    if (this.shown.has(key) || count > (this.local.get(key) ?? 0)) return;
    this.shown.add(key);
    this.listener.occupied(key);
  }

  private async afterLastLeave(key: string): Promise<void> {
    const count = await this.count(key);
    if (this.local.has(key)) return;
    this.shown.delete(key);
    if (count === 0) this.listener.vacated(key);
  }

  private serially(key: string, read: () => Promise<void>): void {
    const previous = this.queues.get(key) ?? Promise.resolve();
    const next = previous.then(read).catch((error: unknown) => this.listener.failed(error));
    this.queues.set(key, next);
    void next.then(() => {
      if (this.queues.get(key) === next) this.queues.delete(key);
    });
  }
}
