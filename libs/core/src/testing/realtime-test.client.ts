import type { ChannelMessage, DirectMessage, Frame, ReplyData, ServerEventPayloads, Welcome } from '@nest-realtime/protocol';
import { RawData, WebSocket } from 'ws';
import { RealtimeReplyError, UpgradeRefusedError } from './realtime-testing.errors';
import {
  CLOSE_TIMED_OUT,
  CLOSED_BEFORE,
  CONNECT_FAILED,
  framesSeen,
  NOT_OPEN,
  REPLY_TO,
  UPGRADE_REFUSED,
  WAIT_TIMED_OUT,
  WAITED_FOR,
} from './realtime-testing.messages';

/** The `data` of a server event: the protocol's type for its own events (payloads as `any`), `any` for the application's. */
export type TestEventData<E extends string> = E extends 'channel:message'
  ? ChannelMessage<any>
  : E extends 'direct:message'
    ? DirectMessage<any>
    : E extends keyof ServerEventPayloads
      ? ServerEventPayloads[E]
      : any;

export interface RealtimeTestClientOptions {
  /** ms the welcome, each `waitFor`, `request` and `waitForClose` wait before failing. Default: 2000. */
  timeout?: number;
  /** Headers of the upgrade request (`authorization`, `origin`, `cookie`…). */
  headers?: Record<string, string>;
}

export interface CloseInfo {
  code: number;
  reason: string;
}

interface Waiter {
  match: (frame: Frame) => boolean;
  resolve: (frame: Frame) => void;
  reject: (closed: CloseInfo) => void;
}

const DEFAULT_TIMEOUT = 2000;

/** Marks a promise as handled, so that a wait abandoned by a failing test is no unhandled rejection on top. */
function quiet<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

function matches<D>(predicate: ((data: D) => boolean) | undefined, data: D): boolean {
  if (!predicate) return true;
  try {
    return predicate(data);
  } catch {
    return false;
  }
}

/**
 * A plain `ws` WebSocket speaking the realtime protocol, for tests: it records every frame the server
 * sends and lets the test wait for the ones it expects. Each wait takes the oldest frame that matches
 * and that no earlier wait took, whether it arrived before the call or arrives within the timeout.
 */
export class RealtimeTestClient {
  /** Every frame received, in order, the welcome included. */
  readonly frames: Frame[] = [];
  /** How the connection ended, once it has. */
  closeInfo?: CloseInfo;
  private readonly taken = new WeakSet<Frame>();
  private waiters: Waiter[] = [];
  private refs = 0;
  private readonly closed: Promise<CloseInfo>;

  private constructor(
    /** The underlying `ws` socket, for what this class does not cover (binary frames, pings). */
    readonly socket: WebSocket,
    private readonly timeout: number,
  ) {
    socket.on('message', (raw: RawData) => this.received(raw));
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) =>
      socket.once('close', (code: number, reason: Buffer) => {
        const info = { code, reason: reason.toString() };
        this.closeInfo = info;
        this.waiters.splice(0).forEach((waiter) => waiter.reject(info));
        resolve(info);
      }),
    );
  }

  /** Opens a connection and resolves once its `connection:welcome` has arrived. */
  static async connect(url: string, options: RealtimeTestClientOptions = {}): Promise<RealtimeTestClient> {
    const client = new RealtimeTestClient(new WebSocket(url, { headers: options.headers }), options.timeout ?? DEFAULT_TIMEOUT);
    await new Promise<void>((resolve, reject) => {
      client.socket.once('open', () => resolve());
      client.socket.once('error', (error: Error) => reject(new Error(CONNECT_FAILED(url, error.message))));
      client.socket.once('unexpected-response', (_request, response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => reject(new UpgradeRefusedError(UPGRADE_REFUSED(url, response.statusCode ?? 0, body), response.statusCode ?? 0, body)));
        response.on('error', () => undefined);
      });
    }).catch((error: unknown) => {
      client.socket.terminate();
      throw error;
    });
    try {
      await client.waitFor('connection:welcome');
    } catch (error) {
      client.socket.terminate();
      throw error;
    }
    return client;
  }

  get welcome(): Welcome {
    return this.frames.find((frame) => frame.event === 'connection:welcome')?.data as Welcome;
  }

  get connectionId(): string {
    return this.welcome.connectionId;
  }

  get clientId(): string {
    return this.welcome.clientId;
  }

  get isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  /**
   * Resolves with the `data` of the oldest `event` frame (that `predicate` accepts) no earlier wait took:
   * already received, or arriving within `timeout` ms. Rejects when the time is up or the connection
   * closes first, with a message that lists the frames received.
   */
  waitFor<E extends string>(event: E, predicate?: (data: TestEventData<E>) => boolean, timeout = this.timeout): Promise<TestEventData<E>> {
    const match = (frame: Frame) => frame.event === event && matches(predicate, frame.data as TestEventData<E>);
    return this.take(match, WAITED_FOR(event, predicate !== undefined), timeout).then((frame) => frame.data as TestEventData<E>);
  }

  /**
   * Sends `{event, data, ref}` and resolves with the `result` of its reply, or rejects with a
   * `RealtimeReplyError` carrying the reply's `code`, `message` and `details`.
   */
  async request<R = any>(event: string, data?: unknown, timeout = this.timeout): Promise<R> {
    const ref = `t${++this.refs}`;
    const reply = this.take((frame) => frame.event === 'reply' && frame.ref === ref, REPLY_TO(event, ref), timeout);
    this.send(event, data, ref);
    const body = (await reply).data as ReplyData<R>;
    if (!body.ok) throw new RealtimeReplyError(event, body.error);
    return body.result;
  }

  /** Sends a frame; without `ref` the server answers only a failure, as an `error` frame. */
  send(event: string, data?: unknown, ref?: string): void {
    if (!this.isOpen) throw new Error(NOT_OPEN(this.who(), event));
    this.socket.send(JSON.stringify({ event, data, ref }));
  }

  /** Resolves with the close code and reason once the server has closed the connection (now or within `timeout` ms). */
  waitForClose(timeout = this.timeout): Promise<CloseInfo> {
    if (this.closeInfo) return Promise.resolve(this.closeInfo);
    const error = new Error();
    return quiet(
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          error.message = CLOSE_TIMED_OUT(this.who(), timeout, this.seen());
          reject(error);
        }, timeout);
        void this.closed.then((info) => {
          clearTimeout(timer);
          resolve(info);
        });
      }),
    );
  }

  /** Closes the connection with the close handshake (cut after the timeout if the server does not answer). */
  async close(code = 1000): Promise<CloseInfo> {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.close(code);
    const timer = setTimeout(() => this.socket.terminate(), this.timeout);
    try {
      return await this.closed;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Destroys the socket without a close handshake, as a lost network does. */
  terminate(): Promise<CloseInfo> {
    if (this.socket.readyState !== WebSocket.CLOSED) this.socket.terminate();
    return this.closed;
  }

  private received(raw: RawData): void {
    const text = Array.isArray(raw) ? Buffer.concat(raw).toString() : Buffer.from(raw as Buffer).toString();
    let frame: Frame;
    try {
      frame = JSON.parse(text) as Frame;
    } catch {
      frame = { event: '<not JSON>', data: text };
    }
    this.frames.push(frame);
    const waiter = this.waiters.find((candidate) => candidate.match(frame));
    if (!waiter) return;
    this.waiters.splice(this.waiters.indexOf(waiter), 1);
    this.taken.add(frame);
    waiter.resolve(frame);
  }

  private take(match: (frame: Frame) => boolean, what: string, timeout: number): Promise<Frame> {
    // Made here, so that its stack points at the test's call; the message is written when it fails.
    const error = new Error();
    const found = this.frames.find((frame) => !this.taken.has(frame) && match(frame));
    if (found) {
      this.taken.add(found);
      return Promise.resolve(found);
    }
    const closedBefore = (closed: CloseInfo) => {
      error.message = CLOSED_BEFORE(this.who(), what, closed.code, closed.reason, this.seen());
      return error;
    };
    if (this.closeInfo) return quiet(Promise.reject(closedBefore(this.closeInfo)));
    return quiet(
      new Promise((resolve, reject) => {
        const waiter: Waiter = {
          match,
          resolve: (frame) => {
            clearTimeout(timer);
            resolve(frame);
          },
          reject: (closed) => {
            clearTimeout(timer);
            reject(closedBefore(closed));
          },
        };
        const timer = setTimeout(() => {
          this.waiters = this.waiters.filter((other) => other !== waiter);
          error.message = WAIT_TIMED_OUT(this.who(), what, timeout, this.seen());
          reject(error);
        }, timeout);
        this.waiters.push(waiter);
      }),
    );
  }

  private who(): string {
    const welcome = this.welcome;
    return welcome ? `RealtimeTestClient "${welcome.clientId}" (connection ${welcome.connectionId})` : `RealtimeTestClient of ${this.socket.url}`;
  }

  private seen(): string {
    return framesSeen(this.frames, (frame) => this.taken.has(frame));
  }
}
