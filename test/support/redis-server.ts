import type { ChildProcess } from 'child_process';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { freePort, killProcess, spawnRedisServer } from '../../tools/redis-process';

export { freePort };

/**
 * A real `redis-server` (Debian's package, installed by test/setup/global-setup.ts) of the test's own: on
 * a free loopback port, no persistence, in a temporary directory. `restart()` brings it back empty on
 * the same port, as a Redis without persistence comes back after a crash.
 */
export class RedisServer {
  private process?: ChildProcess;
  private readonly dir = mkdtempSync(join(tmpdir(), 'realtime-redis-'));

  private constructor(readonly port: number) {}

  static async start(): Promise<RedisServer> {
    const server = new RedisServer(await freePort());
    await server.launch();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.process !== undefined;
  }

  private async launch(): Promise<void> {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir, '--loglevel', 'notice'];
    this.process = await spawnRedisServer(args, (ended) => {
      if (this.process === ended) this.process = undefined;
    });
  }

  /** Stops it (SIGKILL: gone at once, like a crash) and waits for the process to end. */
  async stop(): Promise<void> {
    const child = this.process;
    if (!child) return;
    this.process = undefined;
    await killProcess(child);
  }

  /** Starts an empty one again on the same port, after `stop()`. */
  startAgain(): Promise<void> {
    return this.launch();
  }

  /** Stops it and starts an empty one on the same port. */
  async restart(): Promise<void> {
    await this.stop();
    await this.launch();
  }

  async close(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
