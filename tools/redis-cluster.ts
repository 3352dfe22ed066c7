import { ChildProcess, execFile } from 'child_process';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { promisify } from 'util';
import { freePort, killProcess, spawnRedisServer } from './redis-process';

const run = promisify(execFile);
/** ms to wait for the masters to agree that every slot is served. */
const READY_TIMEOUT_MS = 20_000;

/**
 * A real Redis Cluster of its own, for the tests and the benchmarks: `masters` `redis-server`s with
 * `--cluster-enabled yes` on free loopback ports (no persistence, no replicas) in a temporary directory,
 * joined by `redis-cli --cluster create`, ready once every master says `cluster_state:ok`. Needs
 * redis-server and redis-cli 7 (Debian's redis-server and redis-tools).
 */
export class RedisCluster {
  private readonly processes = new Map<number, ChildProcess>();

  private constructor(
    private readonly ports: number[],
    private readonly dir: string,
  ) {}

  static async start(masters = 3): Promise<RedisCluster> {
    const ports: number[] = [];
    while (ports.length < masters) {
      const port = await freePort();
      if (!ports.includes(port)) ports.push(port);
    }
    const cluster = new RedisCluster(ports, mkdtempSync(join(tmpdir(), 'realtime-redis-cluster-')));
    try {
      await Promise.all(ports.map((port) => cluster.launch(port)));
      await run('redis-cli', ['--cluster', 'create', ...cluster.nodes, '--cluster-replicas', '0', '--cluster-yes']);
      await cluster.ready();
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  /** The masters, as `host:port`. */
  get nodes(): string[] {
    return this.ports.map((port) => `127.0.0.1:${port}`);
  }

  /** Kills one master (SIGKILL, as a crash). */
  async kill(node: string): Promise<void> {
    const port = Number(node.split(':')[1]);
    const child = this.processes.get(port);
    if (!child) return;
    this.processes.delete(port);
    await killProcess(child);
  }

  /** Starts a killed master again with its cluster config (its slots), empty, and waits for the cluster. */
  async restart(node: string): Promise<void> {
    await this.launch(Number(node.split(':')[1]));
    await this.ready();
  }

  /** Stops every master (SIGKILL) and removes the directory. */
  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((node) => this.kill(node)));
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async launch(port: number): Promise<void> {
    const args = [
      ...['--cluster-enabled', 'yes', '--cluster-config-file', join(this.dir, `nodes-${port}.conf`), '--cluster-node-timeout', '2000'],
      ...['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir],
    ];
    const child = await spawnRedisServer(args, (ended) => this.processes.get(port) === ended && this.processes.delete(port));
    this.processes.set(port, child);
  }

  private async ready(): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      const states = await Promise.all(
        this.ports.map((port) =>
          run('redis-cli', ['-p', String(port), 'cluster', 'info']).then(
            ({ stdout }) => stdout.includes('cluster_state:ok'),
            () => false,
          ),
        ),
      );
      if (states.every(Boolean)) return;
      if (Date.now() > deadline) throw new Error(`the Redis Cluster on ${this.nodes.join(', ')} did not reach cluster_state:ok in ${READY_TIMEOUT_MS} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
