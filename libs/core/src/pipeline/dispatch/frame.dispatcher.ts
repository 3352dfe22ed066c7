import { Inject, Injectable } from '@nestjs/common';
import type { RawData } from 'ws';
import type { AppHandler, RealtimeConnection } from '../../services/connection/realtime-connection';
import { RealtimeLogger } from '../../logging/realtime.logger';
import { InboundFrame } from '../middleware/inbound-frame';
import { MiddlewarePipeline } from '../middleware/middleware.pipeline';
import type { ResolvedRealtimeOptions } from '../../options/realtime-options.resolver';
import { parseBinaryFrame, parseFrame } from '../../codec/frame.codec';
import { nestsDeeperThan } from '../../codec/json-depth';
import type { ErrorBody } from '@nest-realtime/protocol';
import { RealtimeException } from '../../errors/realtime.exception';
import { isReservedEvent, ProtocolEvent } from '@nest-realtime/protocol';
import { REALTIME_OPTIONS } from '../../realtime.constants';
import { PresenceService } from '../../services/presence/presence.service';
import { toErrorBody } from './error-body.mapper';
import type { FrameContext } from './frame-context';
import { InOrderFrames } from './in-order-frames';
import { ProtocolHandler, ProtocolHandlers } from './protocol.handlers';

const BINARY: ErrorBody = {
  code: 'bad_frame',
  message: 'Binary frames are not accepted on this connection: send JSON text frames, or connect with the realtime.v1.msgpack subprotocol.',
};

function isWsResponse(value: unknown): value is { event: string; data?: unknown } {
  return typeof value === 'object' && value !== null && typeof (value as { event?: unknown }).event === 'string';
}

function isPromise(value: unknown): value is Promise<unknown> {
  return typeof (value as Promise<unknown> | undefined)?.then === 'function';
}

function toBytes(raw: RawData): Buffer {
  if (Array.isArray(raw)) return Buffer.concat(raw);
  return Buffer.isBuffer(raw) ? raw : Buffer.from(raw);
}

function toText(raw: RawData): string {
  return toBytes(raw).toString();
}

function byteLength(raw: RawData): number {
  if (Array.isArray(raw)) return raw.reduce((sum, chunk) => sum + chunk.length, 0);
  return Buffer.isBuffer(raw) ? raw.length : raw.byteLength;
}

/**
 * Routes each inbound frame: through the middleware, then protocol events to the library and other
 * events to the application's `@SubscribeMessage` handlers; answers every frame that carries a ref
 * exactly once.
 */
@Injectable()
export class FrameDispatcher {
  private readonly logger: RealtimeLogger;
  private readonly maxDepth: number;
  private readonly maxFrameBytes: number;
  private readonly frames = new InOrderFrames<RealtimeConnection>(
    (connection, raw, isBinary) => this.handle(connection, raw, isBinary),
    (connection, error) => this.logger.error(`A frame failed on ${connection.id}`, error),
  );

  constructor(
    private readonly protocol: ProtocolHandlers,
    private readonly pipeline: MiddlewarePipeline,
    @Inject(REALTIME_OPTIONS) options: ResolvedRealtimeOptions,
    private readonly presence: PresenceService,
  ) {
    this.logger = new RealtimeLogger('RealtimeFrames', options.logLevels);
    this.maxDepth = options.limits.maxDepth;
    this.maxFrameBytes = options.maxFrameBytes;
  }

  /**
   * Handles a connection's frames in the order they arrived: a frame waits for an asynchronous one before
   * it to finish (a `channel:publish` sent right behind its `channel:join` finds the membership). When
   * too many wait, the socket is no longer read until they drain, so a flood cannot queue without bound.
   */
  dispatch(connection: RealtimeConnection, raw: RawData, isBinary: boolean): void {
    connection.touch();
    this.frames.push(connection, raw, isBinary);
  }

  private handle(connection: RealtimeConnection, raw: RawData, isBinary: boolean): unknown {
    // Frames still queued when the server closed the connection (a flood behind its 1008) go no further.
    if (connection.isClosedByServer) return undefined;
    const context = this.read(connection, raw, isBinary);
    if (context.frame && context.frame.event !== ProtocolEvent.Ping) {
      connection.lastActiveAt = connection.lastSeenAt;
      this.presence.activity(connection);
    }
    if (!this.pipeline.hasFrameMiddleware) return this.route(context);
    let result: unknown;
    try {
      result = this.pipeline.frame(context, this.route);
    } catch (error) {
      return this.middlewareFailed(context, error);
    }
    if (isPromise(result)) {
      return result.then(
        () => this.answerRefusal(context),
        (error: unknown) => this.middlewareFailed(context, error),
      );
    }
    this.answerRefusal(context);
    return undefined;
  }

  /** A middleware that throws answers the frame like a handler that throws would: never a crash. */
  private middlewareFailed(context: InboundFrame, error: unknown): void {
    const { body, unexpected } = toErrorBody(error);
    if (unexpected) this.logger.error(`A frame middleware failed on ${context.connection.id}`, error);
    if (context.frame) context.fail(body);
    else context.connection.fail(body);
  }

  private read(connection: RealtimeConnection, raw: RawData, isBinary: boolean): InboundFrame {
    const bytes = byteLength(raw);
    connection.framesIn++;
    connection.bytesIn += bytes;
    if (isBinary) return this.readBinary(connection, raw, bytes);
    const text = toText(raw);
    if (nestsDeeperThan(text, this.maxDepth)) {
      return new InboundFrame(connection, bytes, undefined, {
        code: 'bad_frame',
        message: `The frame nests objects and arrays deeper than ${this.maxDepth} levels.`,
      });
    }
    try {
      return new InboundFrame(connection, bytes, parseFrame(text));
    } catch (error) {
      return new InboundFrame(connection, bytes, undefined, toErrorBody(error).body);
    }
  }

  /** A binary frame: MessagePack on a connection that negotiated it (a text frame is JSON on any connection). */
  private readBinary(connection: RealtimeConnection, raw: RawData, bytes: number): InboundFrame {
    if (connection.encoding !== 'msgpack') return new InboundFrame(connection, bytes, undefined, BINARY);
    try {
      return new InboundFrame(connection, bytes, parseBinaryFrame(toBytes(raw), this.maxDepth, this.maxFrameBytes));
    } catch (error) {
      return new InboundFrame(connection, bytes, undefined, toErrorBody(error).body);
    }
  }

  /** The end of the middleware: answers an unreadable frame, or hands a frame to its handler. */
  private readonly route = (context: InboundFrame): Promise<void> | void => {
    const { frame, connection } = context;
    if (!frame) {
      connection.fail(context.unreadable!);
      return;
    }
    const handler = this.protocol.get(frame.event);
    if (handler) return this.runProtocol(context, handler, frame.data);
    const app = isReservedEvent(frame.event) ? undefined : connection.appHandler(frame.event);
    if (!app) {
      context.fail(new RealtimeException('unknown_event', `No handler for "${frame.event}".`).toBody());
      return;
    }
    this.runApplication(context, app, frame.data);
  };

  private answerRefusal(context: InboundFrame): void {
    if (!context.refusal) return;
    if (context.frame) context.fail(context.refusal);
    else context.connection.fail(context.refusal);
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
    // What the gateway's filters let through (a filter of the application's may throw).
    const fail = (error: unknown) => {
      const { body, unexpected } = toErrorBody(error);
      if (unexpected) this.logger.error(`${context.event} failed on ${context.connection.id}`, error);
      context.fail(body);
    };
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
