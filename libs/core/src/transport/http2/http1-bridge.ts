import { createServer, request as http1Request, IncomingHttpHeaders, OutgoingHttpHeaders, RequestListener, Server } from 'http';
import type { Http2ServerRequest, Http2ServerResponse } from 'http2';
import { socketPair } from './socket-pair';

/** Headers HTTP/2 forbids (RFC 9113 §8.2.2): they describe the HTTP/1.1 connection only. */
const CONNECTION_HEADERS = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'http2-settings']);

/**
 * Serves HTTP/2 requests with a handler written for HTTP/1.1 objects (Express's `app` cannot take
 * `Http2ServerRequest`s: it swaps their prototype for `IncomingMessage`'s). Each request goes to the handler
 * as a real `IncomingMessage` over an in-memory connection, and its answer comes back onto the stream.
 * The handler's `req.socket` carries the client's address and `encrypted`, as over TLS.
 */
export class Http1Bridge {
  private readonly server: Server;

  constructor(handler: RequestListener) {
    // Never listens: it only parses what the bridge writes into its connections.
    this.server = createServer(handler);
  }

  handle(request: Http2ServerRequest, response: Http2ServerResponse): void {
    const [client, server] = socketPair();
    const tcp = request.socket;
    Object.assign(server, { remoteAddress: tcp.remoteAddress, remotePort: tcp.remotePort, remoteFamily: tcp.remoteFamily, encrypted: true });
    this.server.emit('connection', server);
    const outgoing = http1Request(
      { createConnection: () => client, method: request.method, path: request.url, headers: http1Headers(request.headers) },
      (incoming) => {
        response.writeHead(incoming.statusCode ?? 502, http2Headers(incoming.headers));
        incoming.pipe(response as unknown as NodeJS.WritableStream);
      },
    );
    outgoing.on('error', () => {
      if (!response.headersSent) response.writeHead(502);
      response.end();
    });
    response.on('close', () => client.destroy());
    request.pipe(outgoing);
  }
}

function http1Headers(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const converted: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name[0] !== ':' && value !== undefined) converted[name] = value;
  }
  converted.host ??= headers[':authority'] as string | undefined;
  return converted;
}

function http2Headers(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const converted: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!CONNECTION_HEADERS.has(name) && value !== undefined) converted[name] = value;
  }
  return converted;
}
