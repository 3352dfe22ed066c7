export interface DrainOptions {
  /**
   * ms over which a drain closes this node's connections with 1012 (service restart), in batches spread
   * evenly over it: with `n` connections the k-th is closed about `k × window / (n + 1)` ms in, whatever `n`.
   * A drain also ends when its last connection is gone. `ConnectionService.drain({ window })` may ask for
   * another. Default `10000`.
   */
  window?: number;
  /**
   * Whether the application's shutdown drains first, over `window`:
   * - `true`: every shutdown, `app.close()` included;
   * - `'signal'`: a shutdown on a signal only (SIGTERM from an orchestrator, with `app.enableShutdownHooks()`),
   *   while `app.close()` called by code (tests, scripts) closes at once;
   * - `false`: none; the shutdown closes every connection at once, with 1001 (or 1012 after
   *   `ConnectionService.markRestarting()`).
   *
   * A drain started before the shutdown (`ConnectionService.drain()`) is awaited either way. Default `false`.
   */
  onShutdown?: boolean | 'signal';
}
