export { createHttp2Server, serveHttp2 } from './http2.server';
export type { Http2CapableAdapter, Http2ServerOptions } from './http2.server';
