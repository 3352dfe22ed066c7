/** How a socket ended. */
export interface TransportClose {
  code: number;
  reason: string;
  /** The HTTP status of a refused upgrade, when the runtime shows it (Node does, browsers do not). */
  status?: number;
}

export interface TransportHandlers {
  open(): void;
  /** A frame arrived: JSON text, or the bytes of a binary frame (the MessagePack encoding). */
  message(data: string | Uint8Array): void;
  /** A WebSocket ping frame arrived (only where the runtime shows them). */
  ping(): void;
  /** Called once, whether the socket opened or not. */
  close(event: TransportClose): void;
}

/** One WebSocket, seen through what the client needs of it. */
export interface TransportSocket {
  /** Whether ping frames reach `handlers.ping`; when they do not, the client sends `connection:ping`. */
  readonly seesPings: boolean;
  /** Writes a frame: a string as a text frame, bytes as a binary frame. */
  send(data: string | Uint8Array): void;
  /** Starts the closing handshake (code 1000 or 3000–4999). */
  close(code: number, reason: string): void;
  /** Drops the socket without waiting for a peer that may be gone. */
  abort(): void;
}

/** Opens a socket to `url` offering `protocols`; the runtime's WebSocket behind one interface. */
export type Transport = (url: string, protocols: string[], handlers: TransportHandlers) => TransportSocket;
