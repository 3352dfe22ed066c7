/** What a workload does with a connection, whatever server it talks to. */
export interface BenchClient {
  /** The user id the client connected with (`?id=`). */
  readonly id: string;
  /** WebSocket messages and their payload bytes received, for the workloads to read and reset. */
  received: { frames: number; bytes: number };
  /** Joins a room (a presence room: with this meta) and resolves with the server's acknowledgement. */
  join(room: string, meta?: Record<string, unknown>): Promise<void>;
  /** Publishes to a room the client joined, without waiting for an acknowledgement. */
  publish(room: string, payload: string): void;
  /**
   * Calls `listener` with every room message from now on, as received: not parsed (the workloads
   * count them, or look for a marker in them), so that the load generator stays light.
   */
  onMessage(listener: (raw: Buffer | string) => void): void;
  /** Joins a presence room without waiting and keeps a copy of its members from what the server sends. */
  joinPresence(room: string, meta: Record<string, unknown>): PresenceCopy;
  /** Drops the connection at once. */
  close(): void;
}

/** A client's copy of a presence room: the ids of the members it has been told about. */
export interface PresenceCopy {
  /** How many members it holds. */
  readonly size: number;
  ids(): Iterable<string>;
  /** Called after every change the server sent. */
  onChange(listener: () => void): void;
}

/** How a client connects, beyond where to. */
export interface ConnectOptions {
  /** The loopback address its socket is bound to (one address has about 28,000 ports). */
  localAddress?: string;
}

/** Connects clients of one server kind; resolves once the server's welcome has arrived. */
export interface ClientKind {
  connect(baseUrl: string, id: string, options?: ConnectOptions): Promise<BenchClient>;
}

/** A copy kept as a set of member ids, which the client kind adds to and removes from. */
export class MemberSet implements PresenceCopy {
  readonly members = new Set<string>();
  private listener?: () => void;

  get size(): number {
    return this.members.size;
  }

  ids(): Iterable<string> {
    return this.members;
  }

  onChange(listener: () => void): void {
    this.listener = listener;
  }

  changed(): void {
    this.listener?.();
  }
}

export function sizeOf(raw: Buffer | ArrayBuffer | Buffer[]): number {
  if (Array.isArray(raw)) return raw.reduce((sum, chunk) => sum + chunk.length, 0);
  return raw.byteLength;
}
