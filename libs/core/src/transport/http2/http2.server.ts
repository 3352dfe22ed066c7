import type { RequestListener } from 'http';
import { createSecureServer, Http2SecureServer, Http2Session, SecureServerOptions } from 'http2';
import { Http1Bridge } from './http1-bridge';

/** TLS settings of `createHttp2Server` (`key` and `cert` at least), as `http2.createSecureServer` takes them. */
export type Http2ServerOptions = Omit<SecureServerOptions, 'allowHTTP1'>;

/**
 * An HTTPS server speaking HTTP/2 and HTTP/1.1 on one port (ALPN), for an application whose handler takes
 * HTTP/1.1 objects (an Express app). `RealtimeAdapter` accepts WebSockets on it both ways: HTTP/1.1
 * upgrades, and HTTP/2 extended CONNECT (RFC 8441), which the server announces
 * (SETTINGS_ENABLE_CONNECT_PROTOCOL). HTTP/1.1 requests reach the handler as they are; HTTP/2 ones through
 * an in-memory HTTP/1.1 hop, as the handler could not serve them otherwise. `close()` also closes the
 * HTTP/2 connections (GOAWAY, once their streams are done), which browsers would otherwise keep open for ever.
 */
export function createHttp2Server(handler: RequestListener, options: Http2ServerOptions): Http2SecureServer {
  const bridge = new Http1Bridge(handler);
  const server = createSecureServer(
    { ...options, allowHTTP1: true, settings: { ...options.settings, enableConnectProtocol: true } },
    (request, response) => {
      if (request.httpVersionMajor === 2) bridge.handle(request, response);
      else handler(request as unknown as Parameters<RequestListener>[0], response as unknown as Parameters<RequestListener>[1]);
    },
  );
  const sessions = new Set<Http2Session>();
  server.on('session', (session: Http2Session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
  });
  const close = server.close.bind(server);
  server.close = (callback?: (error?: Error) => void) => {
    close(callback);
    for (const session of sessions) session.close();
    return server;
  };
  return server;
}

/** What `serveHttp2` needs of a Nest HTTP adapter (`ExpressAdapter`). */
export interface Http2CapableAdapter {
  getInstance(): unknown;
  setHttpServer(server: unknown): void;
  initHttpServer(options: unknown): void;
}

/**
 * Makes a Nest HTTP adapter serve HTTPS with HTTP/2 and HTTP/1.1 (`createHttp2Server` over its request
 * handler) instead of its own HTTP server. For `ExpressAdapter`:
 * `NestFactory.create(AppModule, serveHttp2(new ExpressAdapter(), { key, cert }))`. The application's
 * `httpsOptions` and `forceCloseConnections` are not read: TLS comes from `options`. Not for Fastify,
 * whose instance is no request handler (Fastify has an `http2` option of its own).
 */
export function serveHttp2<T extends Http2CapableAdapter>(adapter: T, options: Http2ServerOptions): T {
  adapter.initHttpServer = () => adapter.setHttpServer(createHttp2Server(adapter.getInstance() as RequestListener, options));
  return adapter;
}
