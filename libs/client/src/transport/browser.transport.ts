import { ClientMessages } from '../error/client.messages';
import { CloseCode } from '@nest-realtime/protocol';
import type { Transport, TransportSocket } from './transport.interface';

/** The part of the standard WebSocket (browsers, Node 22+) the client uses; no DOM typings needed. */
interface StandardWebSocket {
  binaryType: string;
  onopen: (() => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: (() => void) | null;
  send(data: string | Uint8Array): void;
  close(code?: number, reason?: string): void;
}

type StandardWebSocketConstructor = new (url: string, protocols?: string[]) => StandardWebSocket;

export function globalWebSocket(): StandardWebSocketConstructor | undefined {
  return (globalThis as { WebSocket?: StandardWebSocketConstructor }).WebSocket;
}

/** Text frames as strings, binary frames (an ArrayBuffer, with `binaryType` 'arraybuffer') as bytes. */
function frameOf(data: unknown): string | Uint8Array | null {
  if (typeof data === 'string') return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return null;
}

/**
 * The standard `WebSocket` (the global one by default). Browsers answer ping frames themselves and never
 * show them, nor the HTTP status of a refused upgrade (it looks like close 1006).
 */
export function browserTransport(WebSocketClass: StandardWebSocketConstructor | undefined = globalWebSocket()): Transport {
  if (!WebSocketClass) throw new Error(ClientMessages.noWebSocket());
  return (url, protocols, handlers): TransportSocket => {
    const socket = new WebSocketClass(url, protocols);
    socket.binaryType = 'arraybuffer';
    socket.onopen = () => handlers.open();
    socket.onmessage = (event) => {
      const frame = frameOf(event.data);
      if (frame !== null) handlers.message(frame);
    };
    socket.onerror = () => undefined;
    socket.onclose = (event) => handlers.close({ code: event.code, reason: event.reason });
    return {
      seesPings: false,
      send: (data) => socket.send(data),
      close: (code, reason) => socket.close(code, reason),
      abort: () => socket.close(CloseCode.HeartbeatTimeout, 'heartbeat timeout'),
    };
  };
}
