/** One unit of cleanup work. Tasks with the same key are queued once. */
export interface CleanupTask {
  /** Identifies the work, such as `connection:<id>` or `channel:<name>`. */
  key: string;
  run(): void | Promise<void>;
}

/** Finds work on each sweep: stale connections, empty channels, expired entries. */
export interface CleanupSweeper {
  readonly name: string;
  sweep(now: number): CleanupTask[] | Promise<CleanupTask[]>;
}
