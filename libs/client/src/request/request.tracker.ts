import { ClientMessages } from '../error/client.messages';
import { RealtimeError } from '../error/realtime.error';
import type { ReplyData } from '@nest-realtime/protocol';

interface PendingRequest {
  event: string;
  timeoutMs: number;
  resolve(result: unknown): void;
  reject(error: RealtimeError): void;
  timer?: ReturnType<typeof setTimeout>;
  /** Written to a socket (as opposed to waiting in the queue). */
  sent: boolean;
}

/**
 * Requests waiting for their `reply`, by ref. The timeout runs from the moment a request is written to
 * the socket: a request waiting in the queue for the connection is not timed.
 */
export class RequestTracker {
  private seq = 0;
  private readonly pending = new Map<string, PendingRequest>();

  constructor(private readonly defaultTimeoutMs: number) {}

  get size(): number {
    return this.pending.size;
  }

  create<R>(event: string, timeoutMs = this.defaultTimeoutMs): { ref: string; promise: Promise<R> } {
    const ref = String(++this.seq);
    const promise = new Promise<R>((resolve, reject) => {
      this.pending.set(ref, { event, timeoutMs, resolve: resolve as (result: unknown) => void, reject, sent: false });
    });
    return { ref, promise };
  }

  /** The request was written to the socket: its timeout starts. */
  sent(ref: string): void {
    const request = this.pending.get(ref);
    if (!request || request.sent) return;
    request.sent = true;
    request.timer = setTimeout(() => this.fail(ref, new RealtimeError('timeout', ClientMessages.timeout(request.event, request.timeoutMs))), request.timeoutMs);
  }

  /** Settles a request by its reply; false when no request has that ref (late, or not ours). */
  settle(ref: string, reply: ReplyData | undefined): boolean {
    const request = this.take(ref);
    if (!request) return false;
    if (reply && reply.ok === true) request.resolve(reply.result);
    else request.reject(RealtimeError.fromBody(reply && reply.ok === false ? reply.error : undefined));
    return true;
  }

  fail(ref: string, error: RealtimeError): void {
    this.take(ref)?.reject(error);
  }

  /** The connection is gone: every request written to it fails (queued ones keep waiting). */
  failSent(error: (event: string) => RealtimeError): void {
    for (const [ref, request] of [...this.pending]) if (request.sent) this.fail(ref, error(request.event));
  }

  failAll(error: RealtimeError): void {
    for (const ref of [...this.pending.keys()]) this.fail(ref, error);
  }

  private take(ref: string): PendingRequest | undefined {
    const request = this.pending.get(ref);
    if (!request) return undefined;
    this.pending.delete(ref);
    clearTimeout(request.timer);
    return request;
  }
}
