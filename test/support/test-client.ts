import { WebSocket, ClientOptions, RawData } from 'ws';

export interface Frame {
  event: string;
  data?: any;
  ref?: string;
}

export interface ReplyData {
  ok: boolean;
  result?: any;
  error?: { code: string; message: string; details?: any };
}

export interface CloseInfo {
  code: number;
  reason: string;
}

interface Waiter {
  match: (frame: Frame) => boolean;
  resolve: (frame: Frame) => void;
  reject: (error: Error) => void;
  describe: string;
}

/** Marks a promise as handled so that an abandoned wait never becomes an unhandled rejection. */
function quiet<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

/** A real `ws` client that records every frame and lets a test wait for the one it expects. */
export class TestClient {
  readonly frames: Frame[] = [];
  /** WebSocket ping frames received from the server. */
  pings = 0;
  closed?: CloseInfo;
  private waiters: Waiter[] = [];
  private pingWaiters: Array<{ count: number; resolve: () => void; reject: (error: Error) => void }> = [];
  private refs = 0;
  private readonly closedPromise: Promise<CloseInfo>;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (raw: RawData, isBinary: boolean) => this.received(raw, isBinary));
    socket.on('ping', () => {
      this.pings++;
      this.pingWaiters = this.pingWaiters.filter((waiter) => {
        if (this.pings < waiter.count) return true;
        waiter.resolve();
        return false;
      });
    });
    socket.on('error', () => undefined);
    this.closedPromise = new Promise((resolve) =>
      socket.once('close', (code, reason) => {
        this.closed = { code, reason: reason.toString() };
        const error = (what: string) => new Error(`the connection closed (${code} ${this.closed!.reason}) before ${what}`);
        this.waiters.forEach((waiter) => waiter.reject(error(waiter.describe)));
        this.pingWaiters.forEach((waiter) => waiter.reject(error(`ping #${waiter.count}`)));
        this.waiters = [];
        this.pingWaiters = [];
        resolve(this.closed);
      }),
    );
  }

  /** Connects and resolves once the welcome frame has arrived. */
  static async connect(url: string, options?: ClientOptions, protocols?: string[]): Promise<TestClient> {
    const client = TestClient.open(url, options, protocols);
    await new Promise<void>((resolve, reject) => {
      client.socket.once('open', () => resolve());
      client.socket.once('error', reject);
      client.socket.once('unexpected-response', (_req, res) => {
        reject(new Error(`HTTP ${res.statusCode}`));
        client.socket.terminate();
      });
    });
    await client.next((frame) => frame.event === 'connection:welcome');
    return client;
  }

  /** A client on a socket opened some other way (a WebSocket over HTTP/2); resolves once the welcome frame has arrived. */
  static async over(socket: WebSocket): Promise<TestClient> {
    const client = new TestClient(socket);
    await client.next((frame) => frame.event === 'connection:welcome');
    return client;
  }

  /** A client whose socket is created but not awaited (for tests that watch the handshake themselves). */
  static open(url: string, options?: ClientOptions, protocols?: string[]): TestClient {
    return new TestClient(protocols ? new WebSocket(url, protocols, options) : new WebSocket(url, options));
  }

  private received(raw: RawData, isBinary: boolean): void {
    const text = Array.isArray(raw) ? Buffer.concat(raw).toString() : Buffer.from(raw as Buffer).toString();
    let frame: Frame;
    try {
      frame = JSON.parse(text) as Frame;
    } catch {
      frame = { event: '<not json>', data: { text, isBinary } };
    }
    this.frames.push(frame);
    this.waiters = this.waiters.filter((waiter) => {
      if (!waiter.match(frame)) return true;
      waiter.resolve(frame);
      return false;
    });
  }

  get welcome(): Frame {
    return this.frames.find((frame) => frame.event === 'connection:welcome')!;
  }

  get connectionId(): string {
    return this.welcome.data.connectionId;
  }

  get clientId(): string {
    return this.welcome.data.clientId;
  }

  /** The index the next frame will get: pass it to `next`, `since` or `eventsSince` to look only at later frames. */
  mark(): number {
    return this.frames.length;
  }

  /** Frames received from index `from` on. */
  since(from: number): Frame[] {
    return this.frames.slice(from);
  }

  /** Frames of one event received from index `from` on. */
  eventsSince(event: string, from = 0): Frame[] {
    return this.since(from).filter((frame) => frame.event === event);
  }

  /** The first frame (already received from index `from`, or still to come) that matches. */
  next(match: (frame: Frame) => boolean, from = 0, describe = 'the expected frame'): Promise<Frame> {
    const seen = this.frames.slice(from).find(match);
    if (seen) return Promise.resolve(seen);
    if (this.closed) return Promise.reject(new Error(`the connection is closed (${this.closed.code}); ${describe} never came`));
    return quiet(new Promise((resolve, reject) => this.waiters.push({ match, resolve, reject, describe })));
  }

  /** Waits for the next frame of an event that arrives after this call. */
  nextEvent(event: string, match: (data: any) => boolean = () => true): Promise<Frame> {
    return this.next((frame) => frame.event === event && match(frame.data), this.frames.length, `a "${event}" frame`);
  }

  /** Waits for a frame of an event received from index `from` on (possibly already there). */
  eventFrom(from: number, event: string, match: (data: any) => boolean = () => true): Promise<Frame> {
    return this.next((frame) => frame.event === event && match(frame.data), from, `a "${event}" frame`);
  }

  send(frame: unknown): void {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Writes several frames in one TCP write, so that the server reads them together, without waiting between them. */
  sendTogether(frames: unknown[]): void {
    const tcp = (this.socket as unknown as { _socket: { cork(): void; uncork(): void } })._socket;
    tcp.cork();
    frames.forEach((frame) => this.send(frame));
    process.nextTick(() => tcp.uncork());
  }

    sendBinary(bytes: Buffer): void {
    this.socket.send(bytes, { binary: true });
  }

  /** Sends a frame with a fresh ref and resolves to its reply's data ({ok, result | error}). */
  async request(event: string, data?: unknown): Promise<ReplyData> {
    const ref = `r${++this.refs}`;
    const reply = this.next((frame) => frame.event === 'reply' && frame.ref === ref, this.frames.length, `the reply to ${event} (${ref})`);
    this.send({ event, data, ref });
    return (await reply).data;
  }

  /**
   * A round trip through the server: once it resolves, every frame the server wrote to this connection
   * before it read this request has arrived. Lets a test assert that something was NOT sent.
   */
  async roundTrip(): Promise<void> {
    const reply = await this.request('connection:ping', { t: 'barrier' });
    if (!reply.ok) throw new Error(`the barrier ping failed: ${JSON.stringify(reply.error)}`);
  }

  /** Resolves once the server has sent this many ping frames in all. */
  waitForPings(count: number): Promise<void> {
    if (this.pings >= count) return Promise.resolve();
    if (this.closed) return Promise.reject(new Error(`the connection is closed (${this.closed.code}) after ${this.pings} pings`));
    return quiet(new Promise((resolve, reject) => this.pingWaiters.push({ count, resolve, reject })));
  }

  /** Stops reading from the TCP socket: the client neither answers pings nor the close handshake. */
  freeze(): void {
    (this.socket as unknown as { _socket: { pause(): void } })._socket.pause();
  }

  get isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  closeAndWait(code = 1000): Promise<CloseInfo> {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.close(code);
    return this.closedPromise;
  }

  /** Destroys the socket at once (no close handshake) and waits for it to be gone. */
  terminate(): Promise<CloseInfo> {
    if (this.socket.readyState !== WebSocket.CLOSED) this.socket.terminate();
    return this.closedPromise;
  }

  waitClosed(): Promise<CloseInfo> {
    return this.closedPromise;
  }
}

/** Resolves to the HTTP status of a refused upgrade; rejects when the upgrade is accepted. */
export function upgradeStatus(url: string, options?: ClientOptions): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, options);
    socket.once('unexpected-response', (_req, res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
      socket.terminate();
    });
    socket.once('open', () => {
      socket.close();
      reject(new Error('the upgrade was accepted'));
    });
    socket.once('error', (error) => reject(error));
  });
}
