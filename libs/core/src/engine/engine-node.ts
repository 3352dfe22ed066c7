/** A connection on this node, as the engine sees it: something frames can be written to. */
export interface LocalConnection {
  readonly id: string;
  readonly clientId: string;
  /** Writes an encoded frame; false when the connection can no longer take it. */
  send(frame: Buffer): boolean;
}

/** What the engine asks of the node it serves. */
export interface EngineNode {
  /** The local connections of a clientId. */
  connectionsOf(clientId: string): Iterable<LocalConnection>;
  /** A local connection by id. */
  get(connectionId: string): LocalConnection | undefined;
}
