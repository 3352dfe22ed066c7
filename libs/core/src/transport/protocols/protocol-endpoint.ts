import type { IncomingMessage } from 'http';
import type { Duplex } from 'stream';

/**
 * An endpoint of another wire protocol on the core's HTTP server (Pusher's `/app/{key}`): the core's one
 * 'upgrade' listener hands it the upgrades it claims, so that paths neither serves still get their 404.
 */
export interface ProtocolEndpoint {
  /** Whether an upgrade request is this endpoint's (by its path); the core's own path is never asked. */
  matches(request: IncomingMessage): boolean;
  /** Takes an upgrade it matched: completes the WebSocket handshake, or answers it, itself. */
  upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
}
