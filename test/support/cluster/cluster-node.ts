import { ChildProcess, fork } from 'child_process';
import { join } from 'path';

const ENTRY = join(__dirname, 'cluster-node.main.ts');
const REGISTER = join(__dirname, '../../../tools/ts-register.js');

/** One Redis (`redisUrl`) or a Redis Cluster (`redisClusterNodes`, host:port each). */
export type ClusterNodeOptions = ({ redisUrl: string } | { redisClusterNodes: string[] }) & ClusterNodeTuning;

export interface ClusterNodeTuning {
  /** The engine's nodeTtl (ms). Default 2000. */
  nodeTtl?: number;
  /** The cleanup interval (ms), which is also how often dead nodes are looked for. Default 200. */
  cleanupInterval?: number;
  /** With it, a signal (`terminate()`) drains the node over this many ms before it stops. Default: none. */
  drainWindow?: number;
  /** The presence diff window (ms). Default 0: a diff per change. */
  presenceBatchMs?: number;
}

interface Reply {
  id: number;
  result?: unknown;
  error?: string;
}

/**
 * A node of a test cluster: the application of cluster-node.main.ts in a child process of its own (so
 * that it can be killed with SIGKILL), run from TypeScript through tools/ts-register.js. Its services are
 * reachable with `call`.
 */
export class ClusterNode {
  private readonly pending = new Map<number, { resolve: (value: any) => void; reject: (error: Error) => void }>();
  private calls = 0;
  private readonly exited: Promise<number | null>;

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    readonly nodeId: string,
  ) {
    child.on('message', (reply: Reply) => {
      const waiter = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (reply.error !== undefined) waiter?.reject(new Error(`node ${nodeId}: ${reply.error}`));
      else waiter?.resolve(reply.result);
    });
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    void this.exited.then(() => {
      for (const waiter of this.pending.values()) waiter.reject(new Error(`node ${nodeId} exited`));
      this.pending.clear();
    });
  }

  static start(options: ClusterNodeOptions): Promise<ClusterNode> {
    const { nodeTtl = 2000, cleanupInterval = 200, drainWindow, presenceBatchMs = 0 } = options;
    const drain = drainWindow === undefined ? {} : { DRAIN_MS: String(drainWindow) };
    const redis = 'redisUrl' in options ? { REDIS_URL: options.redisUrl } : { REDIS_CLUSTER_NODES: options.redisClusterNodes.join(',') };
    const child = fork(ENTRY, [], {
      execArgv: ['-r', REGISTER],
      env: { ...process.env, ...redis, NODE_TTL_MS: String(nodeTtl), CLEANUP_MS: String(cleanupInterval), PRESENCE_BATCH_MS: String(presenceBatchMs), ...drain },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return new Promise((resolve, reject) => {
      child.once('message', (message: { ready: boolean; port: number; nodeId: string }) => resolve(new ClusterNode(child, message.port, message.nodeId)));
      child.once('exit', (code) => reject(new Error(`a cluster node exited (${code}) before it was ready`)));
    });
  }

  get ws(): string {
    return `ws://127.0.0.1:${this.port}/realtime`;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Calls one of the node's services (see the ops of cluster-node.main.ts). */
  call<T = any>(op: string, ...args: unknown[]): Promise<T> {
    const id = ++this.calls;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.send({ id, op, args });
    });
  }

  /**
   * Calls until the answer matches: for state another node writes a moment after the event the test
   * saw (a released connection is forgotten after its leaves went out). Bounded by the test's timeout.
   */
  async callUntil<T = any>(op: string, args: unknown[], match: (answer: T) => boolean): Promise<T> {
    for (;;) {
      const answer = await this.call<T>(op, ...args);
      if (match(answer)) return answer;
    }
  }

  /** Kills the process at once: no shutdown, no goodbye to the cluster. */
  async kill(): Promise<void> {
    if (this.alive) this.child.kill('SIGKILL');
    await this.exited;
  }

  /** Sends SIGTERM, as an orchestrator does (the node drains first when started with `drainWindow`), and resolves once the process ended. */
  async terminate(): Promise<void> {
    if (this.alive) this.child.kill('SIGTERM');
    await this.exited;
  }

  /** Closes the application as a shutdown does, then lets the process end. */
  async stop(): Promise<void> {
    if (!this.alive) return;
    await this.call('stop').catch(() => undefined);
    await this.exited;
  }
}
