import { Duplex } from 'stream';

/** One end of an in-memory connection: what is written to it is read from the other end. */
class PairedSocket extends Duplex {
  peer!: PairedSocket;
  /** A write the peer has not read yet: called back when it reads, for backpressure. */
  private waiting?: () => void;

  _read(): void {
    const waiting = this.peer.waiting;
    this.peer.waiting = undefined;
    waiting?.();
  }

  _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.peer.push(chunk)) callback();
    else this.waiting = callback;
  }

  _final(callback: (error?: Error | null) => void): void {
    this.peer.push(null);
    callback();
  }

  _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.peer.destroyed) this.peer.destroy();
    callback(error);
  }
}

/** Two connected in-memory sockets (Node 20 has no `stream.duplexPair`). */
export function socketPair(): [Duplex, Duplex] {
  const one = new PairedSocket();
  const other = new PairedSocket();
  one.peer = other;
  other.peer = one;
  return [one, other];
}
