import { Injectable } from '@nestjs/common';
import { RealtimeException } from '@nest-realtime/core';
import type { TranslatedConnection } from '@nest-realtime/core/protocols';
import { RealtimeServicesAccessor } from '../realtime-services.accessor';
import type { PusherSession, Subscription } from '../connection/pusher-session';
import { channelAuthText, verifyAuth } from '../auth/pusher-signature';
import { channelKind, isPusherChannelName } from '../protocol/channel-names';
import { PusherErrorCode } from '../protocol/pusher.error-codes';
import { CLIENT_EVENT_PREFIX, PusherEvent } from '../protocol/pusher.events';
import { encodePusherFrame, errorFrame, subscriptionErrorFrame } from '../protocol/pusher.frames';
import { usersOf } from '../presence/presence-members';
import type { PusherMemberMeta } from '../presence/presence-members';
import type { PusherEventPayload } from './pusher-event-payload';
import { isServerToUserChannel, serverToUserChannel } from './server-to-user';
import {
  CLIENT_EVENT_PUBLIC,
  CLIENT_EVENT_RATE,
  CLIENT_EVENT_TOO_LARGE,
  CLIENT_EVENTS_OFF,
  INVALID_CHANNEL,
  INVALID_CHANNEL_DATA,
  INVALID_SIGNATURE,
  NOT_PRESENCE,
  PRESENCE_FULL,
} from '../pusher.messages';

/** The most a client event's frame may hold: Pusher's 10 KB of data, and room for the envelope. */
export const MAX_CLIENT_EVENT_BYTES = 10 * 1024 + 512;
const MAX_USER_ID_LENGTH = 128;

function member(channelData: unknown): PusherMemberMeta | undefined {
  if (typeof channelData !== 'string') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(channelData);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { user_id: id, user_info: info } = parsed as Record<string, unknown>;
  const userId = typeof id === 'number' && Number.isFinite(id) ? String(id) : id;
  if (typeof userId !== 'string' || userId.length === 0 || userId.length > MAX_USER_ID_LENGTH) return undefined;
  return info === undefined ? { user_id: userId } : { user_id: userId, user_info: info };
}

/** Subscriptions and client events of Pusher connections, on the core's channels and presence. */
@Injectable()
export class PusherSubscriptions {
  constructor(private readonly services: RealtimeServicesAccessor) {}

  async subscribe(connection: TranslatedConnection, session: PusherSession, data: Record<string, unknown>): Promise<void> {
    const { channel, auth } = data;
    const userChannel = isServerToUserChannel(channel);
    if (!isPusherChannelName(channel) && !userChannel) {
      connection.write(
        typeof channel === 'string' && channel.length <= 200
          ? subscriptionErrorFrame(channel, 'InvalidChannel', INVALID_CHANNEL, 400)
          : errorFrame(PusherErrorCode.BadRequest, INVALID_CHANNEL),
      );
      return;
    }
    const name = channel as string;
    const core = session.app.channelPrefix + name;
    const held = session.subscriptions.get(core);
    if (held) {
      // Subscribed already: said again; still subscribing: its answer is on the way.
      if (held.subscribed) connection.write(encodePusherFrame(PusherEvent.SubscriptionSucceeded, held.presence?.data() ?? {}, name));
      return;
    }
    const kind = channelKind(name);
    let meta: PusherMemberMeta | undefined;
    if (userChannel) {
      if (!session.user || name !== serverToUserChannel(session.user.id)) {
        connection.write(subscriptionErrorFrame(name, 'AuthError', 'Sign in as this user first (pusher:signin).', 403));
        return;
      }
    } else if (kind === 'presence') {
      const channelData = data.channel_data;
      meta = channelData === undefined && session.user ? { user_id: session.user.id, user_info: session.user.data.user_info } : member(channelData);
      const text = channelAuthText(session.socketId, name, typeof channelData === 'string' ? channelData : undefined);
      if (!verifyAuth(session.app, auth, text)) return this.unauthorized(connection, name);
      if (!meta) {
        connection.write(subscriptionErrorFrame(name, 'InvalidChannelData', INVALID_CHANNEL_DATA, 400));
        return;
      }
    } else if (kind !== 'public') {
      if (!verifyAuth(session.app, auth, channelAuthText(session.socketId, name))) return this.unauthorized(connection, name);
    }
    if (meta && !this.services.channels.optionsOf(core).presence) {
      connection.write(subscriptionErrorFrame(name, 'ServerError', NOT_PRESENCE(name), 500));
      return;
    }
    if (meta && !(await this.roomFor(session, core, meta.user_id))) {
      connection.write(subscriptionErrorFrame(name, 'LimitReached', PRESENCE_FULL(name, session.app.maxPresenceMembers), 403));
      return;
    }
    const subscription: Subscription = { name, kind, subscribed: false };
    if (meta) subscription.userId = meta.user_id;
    session.subscriptions.set(core, subscription);
    try {
      await this.services.channels.join(connection.id, core, meta ?? {}, {
        stateInReply: false,
        // A presence channel's `subscription_succeeded` goes out with its state (see PusherSession).
        reply: kind === 'presence' ? undefined : () => {
          subscription.subscribed = true;
          connection.write(encodePusherFrame(PusherEvent.SubscriptionSucceeded, {}, name));
        },
      });
    } catch (error) {
      if (session.subscriptions.get(core) === subscription) session.subscriptions.delete(core);
      const { type, status, message } = this.refusal(error);
      connection.write(subscriptionErrorFrame(name, type, message, status));
    }
  }

  async unsubscribe(connection: TranslatedConnection, session: PusherSession, data: Record<string, unknown>): Promise<void> {
    const { channel } = data;
    if (typeof channel !== 'string') return;
    const core = session.app.channelPrefix + channel;
    // Nothing more of it reaches the client from now on, whatever the engine still delivers.
    if (!session.subscriptions.delete(core)) return;
    await this.services.channels.leave(connection.id, core).catch(() => undefined);
  }

  /** A `client-` event: to the other members of a private or presence channel the sender is subscribed to. */
  async clientEvent(connection: TranslatedConnection, session: PusherSession, event: string, channel: unknown, data: unknown, bytes: number): Promise<void> {
    const { app } = session;
    const subscription = typeof channel === 'string' ? session.subscriptions.get(app.channelPrefix + channel) : undefined;
    if (!app.clientEvents) return this.refuse(connection, PusherErrorCode.ClientEventRejected, CLIENT_EVENTS_OFF);
    if (!subscription?.subscribed || (subscription.kind !== 'private' && subscription.kind !== 'presence')) {
      return this.refuse(connection, PusherErrorCode.ClientEventRejected, CLIENT_EVENT_PUBLIC(String(channel).slice(0, 164)));
    }
    const core = app.channelPrefix + subscription.name;
    if (this.services.channels.optionsOf(core).publish === 'server') {
      return this.refuse(connection, PusherErrorCode.ClientEventRejected, CLIENT_EVENT_PUBLIC(subscription.name));
    }
    if (bytes > MAX_CLIENT_EVENT_BYTES) return this.refuse(connection, PusherErrorCode.BadRequest, CLIENT_EVENT_TOO_LARGE(MAX_CLIENT_EVENT_BYTES));
    if (!session.takeClientEvent()) return this.refuse(connection, PusherErrorCode.ClientEventRateLimit, CLIENT_EVENT_RATE(app.clientEventsPerSecond));
    const payload: PusherEventPayload = { event, data: data ?? null };
    if (subscription.userId !== undefined) payload.user_id = subscription.userId;
    await this.services.channels.publish(core, payload, connection);
  }

  isClientEvent(event: string): boolean {
    return event.startsWith(CLIENT_EVENT_PREFIX);
  }

  /** Whether a presence channel has room for one more user (or holds this one already), as this node reads it. */
  private async roomFor(session: PusherSession, core: string, userId: string): Promise<boolean> {
    const users = usersOf(await this.services.presence.list(core));
    return users.has(userId) || users.size < session.app.maxPresenceMembers;
  }

  private unauthorized(connection: TranslatedConnection, channel: string): void {
    connection.write(subscriptionErrorFrame(channel, 'AuthError', INVALID_SIGNATURE(channel), 401));
  }

  private refuse(connection: TranslatedConnection, code: number, message: string): void {
    connection.write(errorFrame(code, message));
  }

  private refusal(error: unknown): { type: string; status: number; message: string } {
    if (error instanceof RealtimeException) {
      const body = error.toBody();
      if (body.code === 'limit') return { type: 'LimitReached', status: 403, message: body.message };
      if (body.code === 'invalid') return { type: 'InvalidChannelData', status: 400, message: body.message };
      if (body.code === 'forbidden') return { type: 'AuthError', status: 403, message: body.message };
      return { type: 'ServerError', status: 500, message: body.message };
    }
    return { type: 'ServerError', status: 500, message: 'The server could not subscribe this connection; try again.' };
  }
}
