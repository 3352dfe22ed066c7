import type { IncomingMessage } from 'http';
import { Duplex } from 'stream';
import { WebSocket, WebSocketServer } from 'ws';

/** A socket that takes every write and throws it away: the syscalls are not what a micro-benchmark weighs. */
class SinkSocket extends Duplex {
  written = 0;

  _read(): void {}

  _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.written += chunk.length;
    done();
  }

  _writev(chunks: Array<{ chunk: Buffer }>, done: () => void): void {
    for (const { chunk } of chunks) this.written += chunk.length;
    done();
  }
}

/** Server-side `ws` sockets, upgraded the way `ws` upgrades real ones, over sockets that discard what they get. */
export async function sinkWebSockets(count: number): Promise<{ sockets: WebSocket[]; written(): number }> {
  const server = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  const sinks: SinkSocket[] = [];
  const sockets = await Promise.all(
    Array.from({ length: count }, (_, index) => {
      const sink = new SinkSocket();
      sinks.push(sink);
      const request = {
        method: 'GET',
        url: '/',
        headers: {
          upgrade: 'websocket',
          connection: 'Upgrade',
          'sec-websocket-version': '13',
          'sec-websocket-key': Buffer.from(`micro-bench-${String(index).padStart(4, '0')}`).toString('base64'),
        },
      } as unknown as IncomingMessage;
      return new Promise<WebSocket>((resolve) => server.handleUpgrade(request, sink, Buffer.alloc(0), resolve));
    }),
  );
  return { sockets, written: () => sinks.reduce((sum, sink) => sum + sink.written, 0) };
}

/** Resolves after the current tick's corked writes have been flushed. */
export const nextTick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
