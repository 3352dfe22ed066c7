import { WebSocket, ClientOptions } from 'ws';

export interface Frame {
  event: string;
  data?: any;
  ref?: string;
}

/** A real `ws` client that records every frame and lets a test wait for the one it expects. */
export class TestClient {
  readonly frames: Frame[] = [];
  private waiters: Array<{ match: (frame: Frame) => boolean; resolve: (frame: Frame) => void; from: number }> = [];
  private refs = 0;
  closed?: { code: number; reason: string };
  private readonly closedPromise: Promise<{ code: number; reason: string }>;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (raw) => {
      const frame = JSON.parse(raw.toString()) as Frame;
      this.frames.push(frame);
      this.waiters = this.waiters.filter((waiter) => {
        if (!waiter.match(frame)) return true;
        waiter.resolve(frame);
        return false;
      });
    });
    this.closedPromise = new Promise((resolve) =>
      socket.once('close', (code, reason) => {
        this.closed = { code, reason: reason.toString() };
        resolve(this.closed);
      }),
    );
  }

  /** Connects and resolves once the welcome frame has arrived. */
  static async connect(url: string, options?: ClientOptions): Promise<TestClient> {
    const client = new TestClient(new WebSocket(url, options));
    await new Promise<void>((resolve, reject) => {
      client.socket.once('open', () => resolve());
      client.socket.once('error', reject);
      client.socket.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
    await client.next((frame) => frame.event === 'connection:welcome');
    return client;
  }

  get welcome(): Frame {
    return this.frames.find((frame) => frame.event === 'connection:welcome')!;
  }

  /** The first frame (already received or still to come) that matches. */
  next(match: (frame: Frame) => boolean, from = 0): Promise<Frame> {
    const seen = this.frames.slice(from).find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.push({ match, resolve, from }));
  }

  /** Waits for the next frame of an event that arrives after this call. */
  nextEvent(event: string, match: (data: any) => boolean = () => true): Promise<Frame> {
    return this.next((frame) => frame.event === event && match(frame.data), this.frames.length);
  }

  send(frame: unknown): void {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Sends a frame with a fresh ref and resolves to its reply's data ({ok, result | error}). */
  async request(event: string, data?: unknown): Promise<{ ok: boolean; result?: any; error?: { code: string; message: string; details?: any } }> {
    const ref = `r${++this.refs}`;
    const reply = this.next((frame) => frame.event === 'reply' && frame.ref === ref, this.frames.length);
    this.send({ event, data, ref });
    return (await reply).data;
  }

  closeAndWait(code = 1000): Promise<{ code: number; reason: string }> {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.close(code);
    return this.closedPromise;
  }

  waitClosed(): Promise<{ code: number; reason: string }> {
    return this.closedPromise;
  }
}

/** Rejects with the HTTP status when the upgrade is refused. */
export function upgradeStatus(url: string, options?: ClientOptions): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, options);
    socket.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      socket.terminate();
    });
    socket.once('open', () => {
      socket.close();
      reject(new Error('the upgrade was accepted'));
    });
    socket.once('error', () => undefined);
  });
}
