import type { RealtimeConnection } from '../../services/connection/realtime-connection';
import { FrameContext } from '../dispatch/frame-context';
import type { Frame } from '@nest-realtime/protocol';
import type { ErrorBody, ErrorCode } from '@nest-realtime/protocol';

/**
 * One inbound frame on its way through the middleware, and then through its handler. `frame` is
 * undefined when it could not be read (`unreadable` says why, `event` is empty; it is answered
 * `bad_frame` after the middleware), so that middleware sees every frame a client sends.
 */
export class InboundFrame extends FrameContext {
  /** Set by `refuse`: the frame goes no further and is answered with it. */
  refusal?: ErrorBody;

  constructor(
    connection: RealtimeConnection,
    /** Its size as received. */
    readonly bytes: number,
    readonly frame: Frame | undefined,
    readonly unreadable?: ErrorBody,
  ) {
    super(connection, frame ? frame.event : '', frame?.ref);
  }

  get data(): unknown {
    return this.frame?.data;
  }

  /** Drops the frame and answers it with this error; do not call `next` after it. */
  refuse(code: ErrorCode, message: string, details?: unknown): void {
    this.refusal = details === undefined ? { code, message } : { code, message, details };
  }
}
