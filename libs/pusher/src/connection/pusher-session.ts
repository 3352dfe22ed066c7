import type { OutboundTranslator, TranslatedConnection } from '@nest-realtime/core/protocols';
import type { ResolvedPusherApp } from '../options/pusher-options.resolver';
import { PusherEvent } from '../protocol/pusher.events';
import { PusherErrorCode } from '../protocol/pusher.error-codes';
import { encodePusherFrame, errorFrame } from '../protocol/pusher.frames';
import type { ChannelKind } from '../protocol/channel-names';
import { PresenceView, type PresenceMember, type UserChange } from '../presence/presence-view';
import { NativeFrames } from './native-frames';
import { pusherCloseCode } from './pusher-close-codes';

/** One channel a Pusher connection subscribed to (or is subscribing to). */
export interface Subscription {
  /** Its Pusher name. */
  readonly name: string;
  readonly kind: ChannelKind;
  /** Whether `subscription_succeeded` went out. */
  subscribed: boolean;
  /** A presence channel's members as this connection knows them, from its `presence:state` on. */
  presence?: PresenceView;
  /** Its user in a presence channel. */
  userId?: string;
}

/** The signed-in user (`pusher:signin`). */
export interface SignedInUser {
  id: string;
  data: Record<string, unknown>;
}

const RATE_WINDOW_MS = 1000;

/** Core error codes as the `pusher:error` code they become. */
const ERROR_CODES: Record<string, number> = { rate_limited: PusherErrorCode.ClientEventRateLimit };

/**
 * One Pusher connection: its app, socket_id, subscriptions and signed-in user, and the translator of the
 * native frames the core sends it into Pusher frames.
 */
export class PusherSession implements OutboundTranslator {
  /** By core channel name (the engines' frames name it). */
  readonly subscriptions = new Map<string, Subscription>();
  user?: SignedInUser;
  private windowStart = 0;
  private eventsInWindow = 0;

  constructor(
    readonly app: ResolvedPusherApp,
    readonly socketId: string,
    private readonly frames: NativeFrames,
  ) {}

  /** Counts a client event against the app's per-second limit; false when it goes past it. */
  takeClientEvent(now = Date.now()): boolean {
    if (now - this.windowStart >= RATE_WINDOW_MS) {
      this.windowStart = now;
      this.eventsInWindow = 0;
    }
    return ++this.eventsInWindow <= this.app.clientEventsPerSecond;
  }

  translate(frame: Buffer, connection: TranslatedConnection): boolean {
    const native = this.frames.decode(frame);
    switch (native.kind) {
      case 'message': {
        // A client event is not echoed to its sender; nor is an HTTP API event to its `socket_id`.
        if (native.from === this.socketId) return true;
        const subscription = this.subscriptions.get(native.channel);
        if (!subscription) return true;
        return connection.write(NativeFrames.messageBytes(native, subscription.name));
      }
      case 'state': {
        const subscription = this.subscriptions.get(native.channel);
        if (!subscription || subscription.kind !== 'presence') return true;
        return this.presenceState(connection, subscription, native.members);
      }
      case 'diff': {
        const subscription = this.subscriptions.get(native.channel);
        // Before its state, the connection's view has nothing to apply a diff to (and the state holds it).
        if (!subscription?.presence) return true;
        const change = subscription.presence.apply(native.joins, native.leaves, native.updates);
        const bytes = (event: string, user: string, info?: unknown) => NativeFrames.memberBytes(native, subscription.name, event, user, info);
        return this.announce(connection, change, bytes);
      }
      case 'error':
        return connection.write(errorFrame(ERROR_CODES[native.code] ?? PusherErrorCode.BadRequest, native.message));
      case 'kicked': {
        const subscription = this.subscriptions.get(native.channel);
        if (!subscription) return true;
        this.subscriptions.delete(native.channel);
        return connection.write(
          encodePusherFrame(PusherEvent.SubscriptionError, { type: 'Kicked', error: 'The server removed this connection from the channel.', status: 403 }, subscription.name),
        );
      }
      default:
        return true;
    }
  }

  closeCode(code: number): number {
    return pusherCloseCode(code);
  }

  /**
   * The first state of a presence subscription: `subscription_succeeded` with its members. A later one
   * (the engine resynchronised the channel): the users that came and went meanwhile.
   */
  private presenceState(connection: TranslatedConnection, subscription: Subscription, members: PresenceMember[]): boolean {
    if (!subscription.presence) {
      subscription.presence = new PresenceView(members);
      subscription.subscribed = true;
      return connection.write(encodePusherFrame(PusherEvent.SubscriptionSucceeded, subscription.presence.data(), subscription.name));
    }
    const change = subscription.presence.replace(members);
    return this.announce(connection, change, (event, user, info) =>
      encodePusherFrame(event, event === PusherEvent.MemberAdded ? { user_id: user, user_info: info } : { user_id: user }, subscription.name),
    );
  }

  private announce(connection: TranslatedConnection, change: UserChange, bytes: (event: string, user: string, info?: unknown) => Buffer): boolean {
    let taken = true;
    for (const user of change.removed) taken = connection.write(bytes(PusherEvent.MemberRemoved, user)) && taken;
    for (const member of change.added) taken = connection.write(bytes(PusherEvent.MemberAdded, member.user, member.info)) && taken;
    return taken;
  }
}
