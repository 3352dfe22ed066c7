import { performance } from 'perf_hooks';

/**
 * Times one publish in `every`, from the call to the end of the tick in which its frames were written to
 * this node's sockets: the writer's end-of-tick flush was scheduled during the fan-out, so an immediate
 * scheduled once the engine took the publish runs right after it. Two clock reads and an immediate per
 * timed publish; a counter for the others.
 */
export class PublishWriteTimer {
  private count = 0;

  constructor(
    private readonly every: number,
    private readonly observe: (seconds: number) => void,
  ) {}

  /** When a publish is to be timed, the time it started; -1 otherwise. */
  start(): number {
    if (++this.count < this.every) return -1;
    this.count = 0;
    return performance.now();
  }

  /** The engine took the publish started at `startedAt`: its frames leave with this tick's flush. */
  published(startedAt: number): void {
    setImmediate(() => this.observe((performance.now() - startedAt) / 1000));
  }
}
