import { Transport, TransportSocket, wsTransport } from '@nest-realtime/client/node';
import { deferred } from './client-waits';

/**
 * The SDK's `ws` transport with a hand on it, as a flaky network and a load balancer would have: the test
 * can cut the first socket (`cut`, a 1006 for the client), and the sockets of the attempts after it open
 * only once the test `allow`s them, to the URL `route` gives (another node's, say).
 */
export class GatedTransport {
  private readonly ws = wsTransport();
  private readonly gate = deferred();
  private first?: TransportSocket;
  private attempts = 0;

  constructor(private readonly route: (url: string) => string = (url) => url) {}

  readonly transport: Transport = (url, protocols, handlers) => {
    if (this.attempts++ === 0) return (this.first = this.ws(url, protocols, handlers));
    let socket: TransportSocket | undefined;
    let cancelled = false;
    void this.gate.promise.then(() => {
      if (!cancelled) socket = this.ws(this.route(url), protocols, handlers);
    });
    const cancel = (code: number, reason: string) => {
      cancelled = true;
      if (!socket) handlers.close({ code, reason });
    };
    return {
      seesPings: true,
      send: (text) => socket?.send(text),
      close: (code, reason) => (socket ? socket.close(code, reason) : cancel(code, reason)),
      abort: () => (socket ? socket.abort() : cancel(1006, 'aborted')),
    };
  };

  /** Cuts the first connection without a close handshake. */
  cut(): void {
    this.first?.abort();
  }

  /** Lets the next attempts connect. */
  allow(): void {
    this.gate.resolve();
  }
}
