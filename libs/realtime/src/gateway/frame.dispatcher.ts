import { Inject, Injectable } from '@nestjs/common';
import type { RawData } from 'ws';
import type { AppHandler, RealtimeConnection } from '../connection/realtime-connection';
import { RealtimeLogger } from '../logging/realtime.logger';
import type { ResolvedRealtimeOptions } from '../options/realtime-options.resolver';
import { parseFrame } from '../protocol/frame.codec';
import { RealtimeException } from '../protocol/protocol-error';
import { isReservedEvent } from '../protocol/protocol.events';
import { REALTIME_OPTIONS } from '../realtime.constants';
import { toErrorBody } from './error-body.mapper';
import { FrameContext } from './frame-context';
import { ProtocolHandler, ProtocolHandlers } from './protocol.handlers';

function isWsResponse(value: unknown): value is { event: string; data?: unknown } {
  return typeof value === 'object' && value !== null && typeof (value as { event?: unknown }).event === 'string';
}

function toText(raw: RawData): string {
  if (Array.isArray(raw)) return Buffer.concat(raw).toString();
  return Buffer.isBuffer(raw) ? raw.toString() : Buffer.from(raw).toString();
}

/**
 * Routes each inbound frame: protocol events to the library, other events to the application's
 * `@SubscribeMessage` handlers, and answers every frame that carries a ref exactly once.
 */
@Injectable()
export class FrameDispatcher {
  private readonly logger: RealtimeLogger;
  /** Per connection, the protocol frame in progress and those queued behind it. */
  private readonly pending = new WeakMap<RealtimeConnection, Promise<void>>();

  constructor(
    private readonly protocol: ProtocolHandlers,
    @Inject(REALTIME_OPTIONS) options: ResolvedRealtimeOptions,
  ) {
    this.logger = new RealtimeLogger('RealtimeFrames', options.logLevels);
  }

  /**
   * Handles a connection's frames in the order they arrived: a protocol frame waits for the one before
   * it to finish (a `channel:publish` sent right behind its `channel:join` finds the membership).
   */
  dispatch(connection: RealtimeConnection, raw: RawData, isBinary: boolean): void {
    connection.touch();
    const previous = this.pending.get(connection);
    const run = () => this.handle(connection, raw, isBinary);
    const current = previous ? previous.then(run) : run();
    if (!current) return;
    const tail: Promise<void> = current
      .catch((error: unknown) => this.logger.error(`A frame failed on ${connection.id}`, error))
      .finally(() => {
        if (this.pending.get(connection) === tail) this.pending.delete(connection);
      });
    this.pending.set(connection, tail);
  }

  private handle(connection: RealtimeConnection, raw: RawData, isBinary: boolean): Promise<void> | void {
    if (isBinary) {
      connection.fail({ code: 'bad_frame', message: 'Binary frames are not accepted: send JSON text frames (realtime.v1.json).' });
      return;
    }
    let frame;
    try {
      frame = parseFrame(toText(raw));
    } catch (error) {
      connection.fail(toErrorBody(error).body);
      return;
    }
    const context = new FrameContext(connection, frame.event, frame.ref);
    const handler = this.protocol.get(frame.event);
    if (handler) return this.runProtocol(context, handler, frame.data);
    const app = isReservedEvent(frame.event) ? undefined : connection.appHandlers.get(frame.event);
    if (!app) {
      context.fail(new RealtimeException('unknown_event', `No handler for "${frame.event}".`).toBody());
      return;
    }
    this.runApplication(context, app, frame.data);
  }

  private async runProtocol(context: FrameContext, handler: ProtocolHandler, data: unknown): Promise<void> {
    try {
      if (data !== undefined && (data === null || typeof data !== 'object' || Array.isArray(data))) {
        throw new RealtimeException('invalid', `"data" of ${context.event} must be an object.`, [{ field: 'data', message: 'must be an object' }]);
      }
      const result = await handler(context, (data ?? {}) as Record<string, unknown>);
      context.succeed(result);
    } catch (error) {
      const { body, unexpected } = toErrorBody(error);
      if (unexpected) this.logger.error(`${context.event} failed on ${context.connection.id}`, error);
      context.fail(body);
    }
  }

  private runApplication(context: FrameContext, app: AppHandler, data: unknown): void {
    const fail = (error: unknown) => context.fail(toErrorBody(error).body);
    try {
      app.transform(app.callback(data, context)).subscribe({
        next: (value) => {
          if (context.ref !== undefined) context.succeed(value);
          else if (isWsResponse(value)) context.connection.sendFrame(value.event, value.data);
        },
        error: fail,
        complete: () => context.succeed(null),
      });
    } catch (error) {
      fail(error);
    }
  }
}
