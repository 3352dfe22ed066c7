import { ProtocolEvent } from '@nest-realtime/protocol';
import type { ErrorCode, Frame } from '@nest-realtime/protocol';
import type { Transport, TransportClose, TransportHandlers, TransportSocket } from '../transport/transport.interface';

/**
 * The server's side of a socket, played by a unit test: it sees what the client wrote and decides what
 * the client receives and how the socket ends. For the client's own logic (ordering, decisions); the
 * end-to-end suites run the client against the real server.
 */
export class ScriptedSocket implements TransportSocket {
  readonly sent: Frame[] = [];
  closedWith?: { code: number; reason: string };
  aborted = false;
  private static ids = 0;
  readonly connectionId = `c${++ScriptedSocket.ids}`;

  constructor(
    readonly url: string,
    readonly protocols: string[],
    private readonly handlers: TransportHandlers,
    readonly seesPings: boolean,
  ) {}

  get token(): string | null {
    return new URL(this.url).searchParams.get('token');
  }

  send(text: string): void {
    this.sent.push(JSON.parse(text) as Frame);
  }

  close(code: number, reason: string): void {
    this.closedWith = { code, reason };
  }

  abort(): void {
    this.aborted = true;
  }

  events(): string[] {
    return this.sent.map((frame) => frame.event);
  }

  welcome(heartbeat = { interval: 25_000, timeout: 60_000 }, clientId = 'alice', resume?: { token: string; ttl: number }): void {
    this.handlers.open();
    this.push({ event: ProtocolEvent.Welcome, data: { connectionId: this.connectionId, clientId, heartbeat, ...(resume && { resume }) } });
  }

  push(frame: Frame | string): void {
    this.handlers.message(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  ping(): void {
    this.handlers.ping();
  }

  /** Answers every request of this event sent so far (and not answered yet) with ok. */
  replyAll(event: string, result: (frame: Frame) => unknown = () => ({})): void {
    for (const frame of this.sent) {
      if (frame.event !== event || frame.ref === undefined || this.answered.has(frame.ref)) continue;
      this.answered.add(frame.ref);
      this.push({ event: ProtocolEvent.Reply, ref: frame.ref, data: { ok: true, result: result(frame) } });
    }
  }

  fail(frame: Frame, code: ErrorCode, message: string): void {
    this.answered.add(frame.ref!);
    this.push({ event: ProtocolEvent.Reply, ref: frame.ref, data: { ok: false, error: { code, message } } });
  }

  end(close: TransportClose): void {
    this.handlers.close(close);
  }

  private readonly answered = new Set<string>();
}

export class ScriptedTransport {
  readonly sockets: ScriptedSocket[] = [];
  private waiters: Array<(socket: ScriptedSocket) => void> = [];

  constructor(private readonly seesPings = true) {}

  readonly transport: Transport = (url, protocols, handlers) => {
    const socket = new ScriptedSocket(url, protocols, handlers, this.seesPings);
    this.sockets.push(socket);
    this.waiters.splice(0).forEach((resolve) => resolve(socket));
    return socket;
  };

  get last(): ScriptedSocket | undefined {
    return this.sockets[this.sockets.length - 1];
  }

  /** The socket the client opens next (or the one it opened already, counting from `count`). */
  socket(count = this.sockets.length + 1): Promise<ScriptedSocket> {
    if (this.sockets.length >= count) return Promise.resolve(this.sockets[count - 1]);
    return new Promise((resolve) => this.waiters.push(() => resolve(this.socket(count))));
  }
}
