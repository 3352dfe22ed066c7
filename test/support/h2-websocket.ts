import { ClientHttp2Session, connect, IncomingHttpHeaders, OutgoingHttpHeaders } from 'http2';
import { WebSocket } from 'ws';
import { JSON_SUBPROTOCOL } from '@nest-realtime/protocol';

/** An HTTP/2 session to `https://127.0.0.1:<port>`, once the server's SETTINGS (with ENABLE_CONNECT_PROTOCOL) are in. */
export function h2Session(origin: string, ca: Buffer): Promise<ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    const session = connect(origin, { ca });
    session.once('error', reject);
    session.once('remoteSettings', () => resolve(session));
  });
}

export interface H2Answer {
  status: number;
  headers: IncomingHttpHeaders;
  /** The open WebSocket (client side) on a 200; undefined otherwise. */
  socket?: WebSocket;
  /** The answer's body on a refusal. */
  body?: string;
}

/**
 * Opens a WebSocket over HTTP/2 (extended CONNECT, RFC 8441) on a session: `ws` runs as a client over the
 * stream (masking its frames), as it would over a TCP socket after a 101.
 */
export function connectOverH2(session: ClientHttp2Session, path: string, headers: OutgoingHttpHeaders = {}): Promise<H2Answer> {
  const stream = session.request({
    ':method': 'CONNECT',
    ':protocol': 'websocket',
    ':scheme': 'https',
    ':path': path,
    'sec-websocket-version': '13',
    'sec-websocket-protocol': JSON_SUBPROTOCOL,
    ...headers,
  });
  return new Promise((resolve, reject) => {
    stream.once('error', reject);
    stream.once('response', (answer) => {
      const status = Number(answer[':status']);
      if (status !== 200) {
        let body = '';
        stream.setEncoding('utf8');
        stream.on('data', (chunk: string) => (body += chunk));
        stream.once('end', () => resolve({ status, headers: answer, body }));
        return;
      }
      const socket = new (WebSocket as unknown as new (address: null, protocols: undefined, options: object) => WebSocket)(null, undefined, { closeTimeout: 30_000 });
      const internals = socket as unknown as {
        _isServer: boolean;
        _protocol: string;
        setSocket(stream: unknown, head: Buffer, options: object): void;
      };
      internals._isServer = false;
      internals._protocol = String(answer['sec-websocket-protocol'] ?? '');
      internals.setSocket(stream, Buffer.alloc(0), { maxPayload: 100 * 1024 * 1024 });
      stream.off('error', reject);
      resolve({ status, headers: answer, socket });
    });
  });
}
