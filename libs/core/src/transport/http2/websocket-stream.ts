import type { Http2ServerRequest, ServerHttp2Stream } from 'http2';
import type { IncomingMessage } from 'http';
import { WebSocket, WebSocketServer } from 'ws';

/** What this file relies on inside `ws` 8 (lib/websocket.js, lib/websocket-server.js): the server side of `completeUpgrade`. */
interface WsSocketInternals {
  _protocol: string;
  setSocket(socket: ServerHttp2Stream, head: Buffer, options: Record<string, unknown>): void;
}
interface WsServerInternals {
  _shouldEmitClose?: boolean;
}

const NO_HEAD = Buffer.alloc(0);
const TOKEN = /^[!#$%&'*+\-.^_`|~\dA-Za-z]+$/;

/** Whether an HTTP/2 request is an extended CONNECT for a WebSocket (RFC 8441). */
export function isWebSocketConnect(request: Http2ServerRequest): boolean {
  return request.headers[':method'] === 'CONNECT' && request.headers[':protocol'] === 'websocket';
}

/**
 * The request as the upgrade checks and `authenticate` read it: the `Http2ServerRequest` itself (headers,
 * `url` from `:path`, `socket` of the TCP connection), with `host` taken from `:authority` when the
 * client sent no Host header, as browsers do over HTTP/2.
 */
export function upgradeRequestOf(request: Http2ServerRequest): IncomingMessage {
  const headers = request.headers;
  if (headers.host === undefined && typeof headers[':authority'] === 'string') headers.host = headers[':authority'];
  return request as unknown as IncomingMessage;
}

/** Why an extended CONNECT cannot become a WebSocket at all, before any check runs; undefined when it can. */
export function malformedConnect(request: Http2ServerRequest): string | undefined {
  if (request.headers['sec-websocket-version'] !== '13') return 'Missing or invalid Sec-WebSocket-Version header (13 expected).';
  if (offeredProtocols(request) === undefined) return 'Invalid Sec-WebSocket-Protocol header.';
  return undefined;
}

function offeredProtocols(request: Http2ServerRequest): Set<string> | undefined {
  const header = request.headers['sec-websocket-protocol'];
  const offered = new Set<string>();
  if (header === undefined) return offered;
  for (const name of (Array.isArray(header) ? header.join(',') : header).split(',')) {
    const protocol = name.trim();
    if (!TOKEN.test(protocol) || offered.has(protocol)) return undefined;
    offered.add(protocol);
  }
  return offered;
}

function chosenProtocol(wss: WebSocketServer, offered: Set<string>, request: Http2ServerRequest): string | false {
  if (offered.size === 0) return false;
  const choose = wss.options.handleProtocols;
  return choose ? choose(offered, request as unknown as IncomingMessage) : offered.values().next().value!;
}

/**
 * Answers an extended CONNECT with 200 and runs a server-side `ws` socket over the stream, as `ws` does
 * over a TCP socket after a 101: the subprotocol is chosen by the server's `handleProtocols` (the first
 * offered without one), the socket joins `wss.clients`. No extension is negotiated over HTTP/2: the
 * stream carries uncompressed frames (HTTP/2 connections are TLS, and each stream is flow-controlled).
 */
export function acceptWebSocketStream(wss: WebSocketServer, request: Http2ServerRequest): WebSocket {
  const stream = request.stream;
  const options = wss.options;
  const chosen = chosenProtocol(wss, offeredProtocols(request) ?? new Set(), request);
  stream.respond(chosen ? { ':status': 200, 'sec-websocket-protocol': chosen } : { ':status': 200 });
  // The server's options, as `ws` hands them to its own sockets (autoPong, closeTimeout, ...).
  const Socket = (options.WebSocket ?? WebSocket) as unknown as new (address: null, protocols: undefined, options: object) => WebSocket;
  const socket = new Socket(null, undefined, options);
  const internals = socket as unknown as WsSocketInternals;
  if (chosen) internals._protocol = chosen;
  const { allowSynchronousEvents, maxBufferedChunks, maxFragments, maxPayload, skipUTF8Validation } = options as Record<string, unknown>;
  internals.setSocket(stream, NO_HEAD, { allowSynchronousEvents, maxBufferedChunks, maxFragments, maxPayload, skipUTF8Validation });
  wss.clients.add(socket);
  socket.on('close', () => {
    wss.clients.delete(socket);
    // As `ws` does for its own sockets: a `wss.close()` under way waits for the last one.
    if ((wss as unknown as WsServerInternals)._shouldEmitClose && wss.clients.size === 0) process.nextTick(() => wss.emit('close'));
  });
  return socket;
}

/** Answers an extended CONNECT with an HTTP error instead of a WebSocket and ends the stream. */
export function refuseStream(stream: ServerHttp2Stream, status: number, message: string): void {
  if (stream.destroyed || stream.closed) return;
  if (stream.headersSent) return void stream.close();
  stream.respond({ ':status': status, 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(message) });
  stream.end(message);
}
