/** A group of micro-benchmark tasks that do the same work different ways. */
export interface MicroSuite {
  name: string;
  /** What one run of a task handles, to report the time per item too. */
  per: { label: string; plural: string; count: number };
  /** Sets up what the tasks share and returns them by name; the library's own path comes last. */
  tasks(): Promise<Record<string, () => unknown>>;
}
