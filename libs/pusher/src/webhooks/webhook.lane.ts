import type { PusherWebhookBatch, PusherWebhookPayloadEvent } from './pusher-webhook.events';
import { webhookHeaders } from './pusher-webhook.signature';
import { WEBHOOK_BATCH_MS, WEBHOOK_MAX_BATCH, WEBHOOK_MAX_PENDING, WEBHOOK_RETRY_DELAYS_MS, WEBHOOK_TIMEOUT_MS } from './pusher-webhooks.constants';

/** POSTs one request; resolves to its status, rejects when no answer came. */
export type WebhookPost = (url: string, headers: Record<string, string>, body: string, timeoutMs: number) => Promise<number>;

export const fetchPost: WebhookPost = async (url, headers, body, timeoutMs) => {
  const response = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
  await response.body?.cancel();
  return response.status;
};

export interface LaneSettings {
  batchMs: number;
  maxBatch: number;
  maxPending: number;
  retryDelaysMs: readonly number[];
  timeoutMs: number;
}

export const DEFAULT_LANE_SETTINGS: LaneSettings = {
  batchMs: WEBHOOK_BATCH_MS,
  maxBatch: WEBHOOK_MAX_BATCH,
  maxPending: WEBHOOK_MAX_PENDING,
  retryDelaysMs: WEBHOOK_RETRY_DELAYS_MS,
  timeoutMs: WEBHOOK_TIMEOUT_MS,
};

/** What a lane reports: a batch dropped after its last try, or events dropped from a full queue. */
export interface LaneReport {
  failed(url: string, events: number, reason: string): void;
  overflowed(url: string, dropped: number): void;
}

/**
 * The webhooks of one app to one URL: events gather for `batchMs` (or until `maxBatch`), then go out as
 * one signed request; one request at a time, in order, each retried after the delays given, then dropped.
 * Nothing here is awaited by the realtime path: `push` only queues.
 */
export class WebhookLane {
  private pending: PusherWebhookPayloadEvent[] = [];
  private timer?: NodeJS.Timeout;
  private sending?: Promise<void>;
  private retry?: { timer: NodeJS.Timeout; resolve: () => void };
  private closed = false;

  constructor(
    readonly url: string,
    private readonly key: string,
    private readonly secret: string,
    private readonly report: LaneReport,
    private readonly settings: LaneSettings = DEFAULT_LANE_SETTINGS,
    private readonly post: WebhookPost = fetchPost,
  ) {}

  push(event: PusherWebhookPayloadEvent): void {
    if (this.closed) return;
    this.pending.push(event);
    if (this.pending.length > this.settings.maxPending) {
      const dropped = this.pending.length - this.settings.maxPending;
      this.pending.splice(0, dropped);
      this.report.overflowed(this.url, dropped);
    }
    if (!this.sending) this.schedule();
  }

  /** At shutdown: sends what waits, one try per batch, and stops. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.retry) {
      clearTimeout(this.retry.timer);
      this.retry.resolve();
    }
    await this.sending;
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.pending.length > 0) {
      const events = this.pending.splice(0, this.settings.maxBatch);
      const outcome = await this.attempt(bodyOf(events));
      if (outcome !== true) this.report.failed(this.url, events.length, outcome);
    }
  }

  private start(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.sending || this.pending.length === 0) return;
    this.sending = this.drain().finally(() => {
      this.sending = undefined;
      if (!this.closed && this.pending.length > 0) this.schedule();
    });
  }

  private schedule(): void {
    if (this.pending.length >= this.settings.maxBatch) this.start();
    else this.timer ??= unref(setTimeout(() => this.start(), this.settings.batchMs));
  }

  private async drain(): Promise<void> {
    const events = this.pending.splice(0, this.settings.maxBatch);
    // One body for every try: a receiver that got a try it did not answer in time sees the same batch again.
    const body = bodyOf(events);
    let outcome = await this.attempt(body);
    for (const delay of this.settings.retryDelaysMs) {
      if (outcome === true || this.closed) break;
      await this.wait(delay);
      if (this.closed) break;
      outcome = await this.attempt(body);
    }
    if (outcome !== true) {
      // Closing: the batch gets its last try in close(), before what came after it.
      if (this.closed) this.pending.unshift(...events);
      else this.report.failed(this.url, events.length, outcome);
    }
  }

  /** true when the receiver answered 2xx; else why not. */
  private async attempt(body: string): Promise<true | string> {
    try {
      const status = await this.post(this.url, webhookHeaders(this.key, this.secret, body), body, this.settings.timeoutMs);
      return status >= 200 && status < 300 ? true : `HTTP ${status}`;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.retry = {
        timer: unref(
          setTimeout(() => {
            this.retry = undefined;
            resolve();
          }, ms),
        ),
        resolve,
      };
    });
  }
}

function bodyOf(events: PusherWebhookPayloadEvent[]): string {
  const batch: PusherWebhookBatch = { time_ms: Date.now(), events };
  return JSON.stringify(batch);
}

function unref(timer: NodeJS.Timeout): NodeJS.Timeout {
  timer.unref?.();
  return timer;
}
