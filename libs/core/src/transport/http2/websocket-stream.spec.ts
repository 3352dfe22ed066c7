import type { Http2ServerRequest } from 'http2';
import { isWebSocketConnect, malformedConnect, upgradeRequestOf } from './websocket-stream';

function connect(headers: Record<string, string | string[]>): Http2ServerRequest {
  return { headers: { ':method': 'CONNECT', ':protocol': 'websocket', ':path': '/realtime', 'sec-websocket-version': '13', ...headers } } as unknown as Http2ServerRequest;
}

describe('an extended CONNECT', () => {
  it('is a WebSocket one with :protocol websocket only', () => {
    expect(isWebSocketConnect(connect({}))).toBe(true);
    expect(isWebSocketConnect(connect({ ':protocol': 'webtransport' }))).toBe(false);
    expect(isWebSocketConnect(connect({ ':method': 'GET' }))).toBe(false);
  });

  it.each<[string, Record<string, string>]>([
    ['without a subprotocol', {}],
    ['with subprotocols', { 'sec-websocket-protocol': 'realtime.v1.json, realtime.v1.msgpack' }],
  ])('can become a WebSocket %s', (_case, headers) => {
    expect(malformedConnect(connect(headers))).toBeUndefined();
  });

  it.each<[string, Record<string, string>, string]>([
    ['another WebSocket version', { 'sec-websocket-version': '8' }, 'Sec-WebSocket-Version'],
    ['a subprotocol that is no token', { 'sec-websocket-protocol': 'a b' }, 'Sec-WebSocket-Protocol'],
    ['a subprotocol offered twice', { 'sec-websocket-protocol': 'a, a' }, 'Sec-WebSocket-Protocol'],
    ['an empty subprotocol', { 'sec-websocket-protocol': 'a,,b' }, 'Sec-WebSocket-Protocol'],
  ])('cannot with %s', (_case, headers, named) => {
    expect(malformedConnect(connect(headers))).toContain(named);
  });

  it('reads its :authority as the Host of the upgrade checks, unless a Host was sent', () => {
    expect(upgradeRequestOf(connect({ ':authority': 'chat.example:8443' })).headers.host).toBe('chat.example:8443');
    expect(upgradeRequestOf(connect({ ':authority': 'a.example', host: 'b.example' })).headers.host).toBe('b.example');
  });
});
