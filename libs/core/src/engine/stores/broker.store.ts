/** How much of a channel's messages its history keeps: the last `size`, for at most `ttl` ms. */
export interface HistoryOptions {
  size: number;
  ttl: number;
}

/**
 * Where a channel's stream of messages stands: `offset` counts its messages (the last one's offset), in
 * an `epoch` that changes whenever the history is lost or reset, so an offset of another epoch means nothing.
 */
export interface StreamPosition {
  offset: number;
  epoch: string;
}

export interface PublishedMessage {
  /** Deliveries: local ones for the memory engine, the channel's members on every node for a cluster engine. */
  delivered: number;
  /** The message's place in the history; undefined when the history could not be written (engine unavailable). */
  position?: StreamPosition;
}

/**
 * The messages a channel published after a position, as encoded `channel:message` frames in order, or why
 * they cannot be had without a gap: `epoch` (the history was lost or reset since), `window` (some were
 * trimmed by size or age), `unavailable` (the engine cannot read the history now).
 */
export type HistoryRead = { frames: Buffer[]; position: StreamPosition } | { lost: 'epoch' | 'window' | 'unavailable' };

/**
 * Fan-out and history: writes encoded frames to the members of a channel, to the connections of a
 * clientId or to one connection, on whichever nodes hold them; numbers and keeps the messages of a
 * channel with history, and gives back those a client missed.
 */
export interface Broker {
  /**
   * Writes an encoded frame to every member of the channel, on every node; resolves to the deliveries
   * (the memory engine's, counted; a cluster engine's, the channel's members when it published).
   */
  publish(channel: string, frame: Buffer): Promise<number>;
  /** Writes an encoded frame to this node's members of the channel only. */
  publishLocal(channel: string, frame: Buffer): Promise<number>;
  /** Writes an encoded frame to every connection of a clientId; resolves to the number of deliveries. */
  sendToClient(clientId: string, frame: Buffer): Promise<number>;
  /** Writes an encoded frame to one connection, on whichever node holds it; false when there is none. */
  sendToConnection(connectionId: string, frame: Buffer): Promise<boolean>;

  /**
   * Publishes a `channel:message` whose `data` is `body` (JSON of `{channel, from, payload, at}`) to a
   * channel that keeps history: the engine gives it the next offset, keeps it, and fans it out, in one
   * order on every node.
   */
  publishMessage(channel: string, body: string, history: HistoryOptions): Promise<PublishedMessage>;
  /** The channel's current position (an epoch is made for a channel that has none); undefined when unavailable. */
  position(channel: string, history: HistoryOptions): Promise<StreamPosition | undefined>;
  /** The messages published after `since`, all of them, or why not (never a gap). */
  historySince(channel: string, since: StreamPosition, history: HistoryOptions): Promise<HistoryRead>;
}
