import type { RealtimeConnection } from '../../services/connection/realtime-connection';
import type { ErrorBody } from '@nest-realtime/protocol';

/**
 * One inbound frame on its way through an application handler. It is passed to the handler as its
 * third argument, where the exception filter finds it, so that a frame gets exactly one answer.
 */
export class FrameContext {
  private answered = false;

  constructor(
    readonly connection: RealtimeConnection,
    readonly event: string,
    readonly ref?: string,
  ) {}

  get isAnswered(): boolean {
    return this.answered;
  }

  succeed(result: unknown): void {
    if (this.answered) return;
    this.answered = true;
    if (this.ref !== undefined) this.connection.reply(this.ref, result);
  }

  fail(error: ErrorBody): void {
    if (this.answered) return;
    this.answered = true;
    this.connection.fail(error, this.ref, this.event);
  }

  static is(value: unknown): value is FrameContext {
    return value instanceof FrameContext;
  }
}
