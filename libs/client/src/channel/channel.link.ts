import type { RealtimeError } from '../error/realtime.error';
import type { ListenerErrorHandler } from '../events/typed.emitter';

/** What a channel needs of its client. */
export interface ChannelLink {
  /** Whether frames go out at once: connected, and the session restored. */
  readonly ready: boolean;
  /** Sends a request when ready, queues it otherwise; resolves with the reply's result. */
  request<R>(event: string, data: unknown): Promise<R>;
  /** Writes a request on the current connection ahead of the queue (to restore the session). */
  requestNow<R>(event: string, data: unknown): Promise<R>;
  /** An error no caller is waiting for (a rejoin the server refused): the client's `error` event. */
  report(error: RealtimeError): void;
  readonly onListenerError: ListenerErrorHandler;
}
