import { WebSocket, ClientOptions, RawData } from 'ws';
import type { Transport, TransportSocket } from './transport.interface';

function bytesOf(data: RawData): Buffer {
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.isBuffer(data) ? data : Buffer.from(data);
}

/**
 * Node's transport, the `ws` package: it sees the server's ping frames and the HTTP status of a refused
 * upgrade (401/403 stop the client). `options` go to `ws` as they are (headers, agent, TLS…).
 */
export function wsTransport(options: ClientOptions = {}): Transport {
  return (url, protocols, handlers): TransportSocket => {
    const socket = new WebSocket(url, protocols, options);
    let status: number | undefined;
    socket.on('open', () => handlers.open());
    socket.on('message', (data, isBinary) => handlers.message(isBinary ? bytesOf(data) : bytesOf(data).toString()));
    socket.on('ping', () => handlers.ping());
    socket.on('unexpected-response', (_request, response) => {
      status = response.statusCode;
      response.resume();
      socket.terminate();
    });
    // An error is always followed by 'close', which carries what the client needs.
    socket.on('error', () => undefined);
    socket.once('close', (code, reason) => handlers.close({ code, reason: reason.toString(), status }));
    return {
      seesPings: true,
      send: (data) => socket.send(data),
      close: (code, reason) => (socket.readyState === WebSocket.CONNECTING ? socket.terminate() : socket.close(code, reason)),
      abort: () => socket.terminate(),
    };
  };
}
