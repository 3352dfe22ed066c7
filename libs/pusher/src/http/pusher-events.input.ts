import { HttpException, HttpStatus } from '@nestjs/common';
import { isSocketId } from '../connection/socket-id';
import { isServerToUserChannel } from '../channels/server-to-user';
import { isPusherChannelName } from '../protocol/channel-names';
import { isProtocolEvent } from '../protocol/pusher.events';
import { BAD_REQUEST, TOO_LARGE } from './pusher-http.messages';

const MAX_EVENT_NAME = 200;

/** The attributes `info` may ask for, of a channel. */
export const INFO_ATTRIBUTES = ['user_count', 'subscription_count'] as const;
export type InfoAttribute = (typeof INFO_ATTRIBUTES)[number];

/** The limits of one app's HTTP API (see `PusherAppOptions`). */
export interface EventLimits {
  maxEventBytes: number;
  maxChannelsPerEvent: number;
  maxBatchEvents: number;
}

/** One event to publish: `data` as sent (a string), to each of `channels` (Pusher names), but not to `socketId`. */
export interface PusherTrigger {
  name: string;
  data: string;
  channels: string[];
  socketId?: string;
  /** What the response tells of each channel. */
  info: InfoAttribute[];
}

/** A request refused: 400 (bad) or 413 (past a limit); the reason is the body's `message`. */
export class ApiRequestError extends HttpException {
  constructor(status: HttpStatus, message: string) {
    super({ statusCode: status, message }, status);
  }
}

const bad = (message: string) => new ApiRequestError(HttpStatus.BAD_REQUEST, message);
const tooLarge = (message: string) => new ApiRequestError(HttpStatus.PAYLOAD_TOO_LARGE, message);

/** `info=a,b` as attributes; unknown ones are a 400. */
export function infoOf(value: unknown): InfoAttribute[] {
  if (value === undefined || value === null || value === '') return [];
  if (typeof value !== 'string') throw bad(BAD_REQUEST.info(String(value), INFO_ATTRIBUTES));
  const names = value.split(',').map((name) => name.trim()).filter((name) => name !== '');
  if (names.some((name) => !(INFO_ATTRIBUTES as readonly string[]).includes(name))) throw bad(BAD_REQUEST.info(value, INFO_ATTRIBUTES));
  return [...new Set(names)] as InfoAttribute[];
}

/** A channel an event may go to: a Pusher channel, or a signed-in user's `#server-to-user-{id}` (`sendToUser`). */
function triggerChannelOf(value: unknown): string {
  if (!isPusherChannelName(value) && !isServerToUserChannel(value)) throw bad(BAD_REQUEST.channel(value));
  return value as string;
}

export function channelNameOf(value: unknown): string {
  if (!isPusherChannelName(value)) throw bad(BAD_REQUEST.channel(value));
  return value;
}

function objectOf(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw bad(BAD_REQUEST.notJson);
  return body as Record<string, unknown>;
}

function eventOf(body: Record<string, unknown>, named: unknown[], limits: EventLimits, queryInfo: unknown): PusherTrigger {
  const { name, data, socket_id: socketId } = body;
  const channels = [...new Set(named)];
  if (typeof name !== 'string' || name.length === 0 || name.length > MAX_EVENT_NAME || isProtocolEvent(name)) throw bad(BAD_REQUEST.name);
  if (typeof data !== 'string') throw bad(BAD_REQUEST.data);
  if (channels.length === 0) throw bad(BAD_REQUEST.channels);
  if (channels.length > limits.maxChannelsPerEvent) throw tooLarge(TOO_LARGE.channels(channels.length, limits.maxChannelsPerEvent));
  const bytes = Buffer.byteLength(data, 'utf8');
  if (bytes > limits.maxEventBytes) throw tooLarge(TOO_LARGE.data(bytes, limits.maxEventBytes));
  if (socketId !== undefined && socketId !== null && !isSocketId(socketId)) throw bad(BAD_REQUEST.socketId(socketId));
  const trigger: PusherTrigger = { name, data, channels: channels.map(triggerChannelOf), info: infoOf(body.info ?? queryInfo) };
  if (typeof socketId === 'string') trigger.socketId = socketId;
  return trigger;
}

/** The body of `POST /apps/{id}/events`: `{name, data, channels | channel, socket_id?, info?}`. */
export function eventsRequestOf(body: unknown, limits: EventLimits, queryInfo?: unknown): PusherTrigger {
  const event = objectOf(body);
  const channels = Array.isArray(event.channels) ? event.channels : event.channel !== undefined ? [event.channel] : undefined;
  if (!channels) throw bad(BAD_REQUEST.channels);
  return eventOf(event, channels, limits, queryInfo);
}

/** The body of `POST /apps/{id}/batch_events`: `{batch: [{name, data, channel, socket_id?, info?}, …]}`. */
export function batchRequestOf(body: unknown, limits: EventLimits): PusherTrigger[] {
  const { batch } = objectOf(body);
  if (!Array.isArray(batch) || batch.length === 0) throw bad(BAD_REQUEST.batch);
  if (batch.length > limits.maxBatchEvents) throw tooLarge(TOO_LARGE.batch(batch.length, limits.maxBatchEvents));
  return batch.map((item, index) => {
    try {
      const event = objectOf(item);
      if (event.channel === undefined) throw bad(BAD_REQUEST.channels);
      return eventOf(event, [event.channel], limits, undefined);
    } catch (error) {
      if (error instanceof ApiRequestError) throw new ApiRequestError(error.getStatus(), BAD_REQUEST.batchItem(index, error.message));
      throw error;
    }
  });
}
