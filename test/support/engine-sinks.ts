import type { EngineNode, LocalConnection, RealtimeEngine } from '@nest-realtime/core/engine';

/** A connection as an engine sees it, keeping the frames written to it. */
export class FrameSink implements LocalConnection {
  readonly frames: string[] = [];
  private waiters: Array<{ count: number; resolve: () => void }> = [];

  constructor(
    readonly id: string,
    readonly clientId: string,
  ) {}

  send(frame: Buffer): boolean {
    this.frames.push(frame.toString());
    this.waiters = this.waiters.filter((waiter) => this.frames.length < waiter.count || (waiter.resolve(), false));
    return true;
  }

  /** Resolves once it holds this many frames in all. */
  holds(count: number): Promise<void> {
    if (this.frames.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }

  events(): Array<{ event: string; data: any }> {
    return this.frames.map((frame) => JSON.parse(frame));
  }
}

/** A node for engine tests: an engine bound to a registry of sinks standing for its connections. */
export class SinkNode<E extends RealtimeEngine = RealtimeEngine, S extends FrameSink = FrameSink> implements EngineNode {
  readonly sinks = new Map<string, S>();

  constructor(readonly engine: E) {}

  connectionsOf(clientId: string): Iterable<LocalConnection> {
    return [...this.sinks.values()].filter((sink) => sink.clientId === clientId);
  }

  get(connectionId: string): LocalConnection | undefined {
    return this.sinks.get(connectionId);
  }

  /** The sink of a new connection (a subclass may keep more of its frames). */
  protected createSink(id: string, clientId: string): S {
    return new FrameSink(id, clientId) as S;
  }

  /** Opens a connection on this node (the engine's directory records it). */
  async open(id: string, clientId = id): Promise<S> {
    const sink = this.createSink(id, clientId);
    this.sinks.set(id, sink);
    await this.engine.directory.opened({ connectionId: id, clientId, state: 'connected', connectedAt: Date.now() });
    return sink;
  }

  /** Opens a connection and makes it a member of a channel. */
  async member(channel: string, id: string, clientId = id): Promise<S> {
    const sink = await this.open(id, clientId);
    await this.engine.memberships.join(channel, sink, {});
    return sink;
  }
}
