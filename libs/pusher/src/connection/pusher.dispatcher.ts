import { Injectable, Logger } from '@nestjs/common';
import type { RawData } from 'ws';
import { InOrderFrames, type TranslatedConnection } from '@nest-realtime/core/protocols';
import { signIn } from '../auth/pusher-signin';
import { PusherSubscriptions } from '../channels/pusher-subscriptions';
import { RealtimeServicesAccessor } from '../realtime-services.accessor';
import { PusherErrorCode } from '../protocol/pusher.error-codes';
import { PusherEvent } from '../protocol/pusher.events';
import { encodePusherFrame, errorFrame } from '../protocol/pusher.frames';
import { BINARY_FRAME, FRAME_RATE, MALFORMED_FRAME, UNKNOWN_EVENT } from '../pusher.messages';
import type { PusherSession } from './pusher-session';

/** Frames a connection may send in a second; past it they are dropped (one `pusher:error` 4301 a second). */
export const MAX_FRAMES_PER_SECOND = 100;
/** Deeper JSON is refused before it is parsed. */
const MAX_DEPTH = 32;
const PONG = encodePusherFrame(PusherEvent.Pong, {});

interface Flow {
  windowStart: number;
  frames: number;
}

function text(raw: RawData): string {
  if (Array.isArray(raw)) return Buffer.concat(raw).toString();
  return Buffer.isBuffer(raw) ? raw.toString() : Buffer.from(raw).toString();
}

/** Whether JSON text nests objects and arrays deeper than `max` (strings skipped), without parsing it. */
function nestsDeeperThan(json: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const char = json.charCodeAt(i);
    if (inString) {
      if (char === 92) i++;
      else if (char === 34) inString = false;
    } else if (char === 34) inString = true;
    else if (char === 123 || char === 91) {
      if (++depth > max) return true;
    } else if (char === 125 || char === 93) depth--;
  }
  return false;
}

function frameOf(raw: string): { event: string; channel?: unknown; data?: unknown } | undefined {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const { event } = value as { event?: unknown };
  return typeof event === 'string' && event.length > 0 && event.length <= 200 ? (value as { event: string }) : undefined;
}

/** The data of a protocol event: pusher-js sends an object; a JSON string of one is read too. */
function objectOf(data: unknown): Record<string, unknown> {
  if (typeof data === 'string') {
    try {
      data = JSON.parse(data);
    } catch {
      return {};
    }
  }
  return typeof data === 'object' && data !== null && !Array.isArray(data) ? (data as Record<string, unknown>) : {};
}

/**
 * Routes each frame of a Pusher connection, in the order they arrived (a client event sent right behind
 * its subscribe finds the subscription): pings, subscriptions, signin, client events. Bad input gets
 * `pusher:error` and goes no further; nothing a client sends can throw out of here.
 */
@Injectable()
export class PusherDispatcher {
  private readonly logger = new Logger('RealtimePusher');
  private readonly frames = new InOrderFrames<TranslatedConnection>(
    (connection, raw, isBinary) => this.handle(connection, raw, isBinary),
    (connection, error) => this.logger.error(`A Pusher frame failed on ${connection.id}`, error instanceof Error ? error.stack : String(error)),
  );
  private readonly flows = new WeakMap<TranslatedConnection, Flow>();

  constructor(
    private readonly subscriptions: PusherSubscriptions,
    private readonly services: RealtimeServicesAccessor,
  ) {}

  dispatch(connection: TranslatedConnection, raw: RawData, isBinary: boolean): void {
    connection.touch();
    if (!this.withinRate(connection)) return;
    this.frames.push(connection, raw, isBinary);
  }

  /** Counts the frame; past the rate it is dropped, with one `pusher:error` 4301 per second. */
  private withinRate(connection: TranslatedConnection): boolean {
    const now = Date.now();
    let flow = this.flows.get(connection);
    if (!flow || now - flow.windowStart >= 1000) this.flows.set(connection, (flow = { windowStart: now, frames: 0 }));
    if (++flow.frames <= MAX_FRAMES_PER_SECOND) return true;
    if (flow.frames === MAX_FRAMES_PER_SECOND + 1) connection.write(errorFrame(PusherErrorCode.ClientEventRateLimit, FRAME_RATE(MAX_FRAMES_PER_SECOND)));
    return false;
  }

  /** A promise only for a frame that does asynchronous work. */
  private handle(connection: TranslatedConnection, raw: RawData, isBinary: boolean): Promise<void> | undefined {
    if (connection.isClosedByServer) return undefined;
    const session = connection.translator as PusherSession;
    const bytes = Array.isArray(raw) ? raw.reduce((sum, chunk) => sum + chunk.length, 0) : Buffer.isBuffer(raw) ? raw.length : raw.byteLength;
    connection.framesIn++;
    connection.bytesIn += bytes;
    if (isBinary) return this.fail(connection, BINARY_FRAME);
    const json = text(raw);
    const frame = nestsDeeperThan(json, MAX_DEPTH) ? undefined : frameOf(json);
    if (!frame) return this.fail(connection, MALFORMED_FRAME);
    if (frame.event !== PusherEvent.Ping && frame.event !== PusherEvent.Pong) {
      // As the core counts activity (idle timeout, presence statuses): heartbeats are not.
      connection.lastActiveAt = connection.lastSeenAt;
      this.services.presence.activity(connection);
    }
    try {
      switch (frame.event) {
        case PusherEvent.Ping:
          connection.write(PONG);
          return undefined;
        case PusherEvent.Pong:
          return undefined;
        case PusherEvent.Subscribe:
          return this.subscriptions.subscribe(connection, session, objectOf(frame.data));
        case PusherEvent.Unsubscribe:
          return this.subscriptions.unsubscribe(connection, session, objectOf(frame.data));
        case PusherEvent.Signin:
          if (!signIn(connection, session, objectOf(frame.data))) connection.close(PusherErrorCode.Unauthorized, 'unauthorized signin');
          return undefined;
        default:
          if (this.subscriptions.isClientEvent(frame.event)) {
            return this.subscriptions.clientEvent(connection, session, frame.event, frame.channel, frame.data, bytes);
          }
          return this.fail(connection, UNKNOWN_EVENT(frame.event.slice(0, 64)));
      }
    } catch (error) {
      this.logger.error(`${frame.event} failed on ${connection.id}`, error instanceof Error ? error.stack : String(error));
      return this.fail(connection, 'The server could not handle the frame.');
    }
  }

  private fail(connection: TranslatedConnection, message: string): undefined {
    connection.write(errorFrame(PusherErrorCode.BadRequest, message));
    return undefined;
  }
}
