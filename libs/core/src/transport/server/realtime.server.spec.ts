import { connect, Socket } from 'net';
import type { Duplex } from 'stream';
import { createRealtimeTestingApp, RealtimeTestingApp } from '../../testing/realtime-testing.app';

/** The stream methods a socket's writes go through. */
type WritableInternals = Required<Pick<Duplex, '_write' | '_writev'>>;

/** Sends a raw upgrade request and resolves with the first chunk the server answers with. */
function firstAnswer(url: string, key = 'dGhlIHNhbXBsZSBub25jZQ=='): Promise<{ socket: Socket; chunk: string }> {
  const { port, pathname } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () => {
      socket.write(
        `GET ${pathname} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
    socket.once('data', (chunk) => resolve({ socket, chunk: chunk.toString('latin1') }));
    socket.once('error', reject);
  });
}

describe('RealtimeServer upgrades', () => {
  let testing: RealtimeTestingApp;

  afterEach(() => testing.close());

  it('sends the 101 response, the welcome and the first state in one write', async () => {
    testing = await createRealtimeTestingApp();
    const writes: string[] = [];
    testing.app.getHttpServer().prependListener('upgrade', (_request: unknown, socket: Duplex & WritableInternals) => {
      const { _write: write, _writev: writev } = socket;
      socket._write = function (chunk, encoding, callback) {
        writes.push(Buffer.from(chunk).toString('latin1'));
        return write.call(this, chunk, encoding, callback);
      };
      socket._writev = function (chunks, callback) {
        writes.push(chunks.map(({ chunk }) => Buffer.from(chunk).toString('latin1')).join(''));
        return writev!.call(this, chunks, callback);
      };
    });
    const { socket } = await firstAnswer(testing.url);
    socket.destroy();

    expect(writes).toHaveLength(1);
    expect(writes[0]).toMatch(/^HTTP\/1\.1 101 /);
    expect(writes[0]).toContain('"event":"connection:welcome"');
    expect(writes[0]).toContain('"event":"connection:state"');
  });

  it('gives back the place in the connection limits of an upgrade that ws refuses', async () => {
    testing = await createRealtimeTestingApp({ realtime: { limits: { maxConnectionsPerIp: 1 } } });
    const { socket, chunk } = await firstAnswer(testing.url, 'not a key');
    socket.destroy();

    expect(chunk).toMatch(/^HTTP\/1\.1 400 /);
    expect((await testing.client()).connectionId).toBeDefined();
  });
});
