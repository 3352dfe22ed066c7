/** A connection as every node sees it. */
export interface ConnectionRecord {
  connectionId: string;
  clientId: string;
  /** The node that holds its socket (`RealtimeEngine.nodeId`). */
  nodeId: string;
  state: string;
  connectedAt: number;
}

/** The open connections of every node: who they are, where, and in which state. */
export interface ConnectionDirectory {
  opened(record: Omit<ConnectionRecord, 'nodeId'>): Promise<void>;
  /** Records a connection's new state (nothing when it is gone already). */
  stateChanged(connectionId: string, state: string): Promise<void>;
  /** Forgets a connection; `lastOfClient` when its clientId has no other connection on any node. */
  closed(connectionId: string, clientId: string): Promise<{ lastOfClient: boolean }>;
  /** The connections of a clientId on every node. */
  connectionsOf(clientId: string): Promise<ConnectionRecord[]>;
  /** Open connections on every node. */
  count(): Promise<number>;
}
