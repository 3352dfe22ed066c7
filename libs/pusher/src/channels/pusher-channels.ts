import { Inject, Injectable } from '@nestjs/common';
import { PUSHER_OPTIONS } from '../pusher.constants';
import { RealtimeServicesAccessor } from '../realtime-services.accessor';
import type { ResolvedPusherApp, ResolvedPusherOptions } from '../options/pusher-options.resolver';
import { isProtocolEvent } from '../protocol/pusher.events';
import { isPusherChannelName } from '../protocol/channel-names';
import { usersOf } from '../presence/presence-members';
import type { PusherEventPayload } from './pusher-event-payload';
import { isServerToUserChannel } from './server-to-user';

/**
 * The Pusher side of the core's channels, for server code (the HTTP API, an application): names mapped
 * per app (see `channelPrefix`), events published as native `channel:message` `{event, data}`.
 */
@Injectable()
export class PusherChannels {
  constructor(
    @Inject(PUSHER_OPTIONS) private readonly options: ResolvedPusherOptions,
    private readonly services: RealtimeServicesAccessor,
  ) {}

  /** The app of an id; throws when there is none. */
  app(appId: string): ResolvedPusherApp {
    const app = this.options.byId.get(appId);
    if (!app) throw new Error(`No Pusher app with id "${appId}".`);
    return app;
  }

  /** The core channel a Pusher channel of the app is. */
  coreName(app: ResolvedPusherApp, channel: string): string {
    return app.channelPrefix + channel;
  }

  /** The Pusher name of a core channel of the app; undefined when the channel is not the app's. */
  pusherName(app: ResolvedPusherApp, coreChannel: string): string | undefined {
    if (!coreChannel.startsWith(app.channelPrefix)) return undefined;
    const name = coreChannel.slice(app.channelPrefix.length);
    return isPusherChannelName(name) ? name : undefined;
  }

  /**
   * Publishes Pusher event `event` with `data` to channels of an app, on every node: Pusher clients get
   * `{event, channel, data}` (a string `data` as it is, any other value as JSON), native clients a
   * `channel:message` with payload `{event, data}`. `exceptSocketId`: that Pusher connection does not get it
   * (the HTTP API's `socket_id`); native clients see it as the message's `from`. Resolves to the deliveries.
   */
  async trigger(appId: string, channels: readonly string[], event: string, data: unknown, exceptSocketId?: string): Promise<number> {
    const app = this.app(appId);
    if (typeof event !== 'string' || event.length === 0 || event.length > 200 || isProtocolEvent(event)) {
      throw new Error(`"${String(event)}" cannot be triggered: an event name is 1 to 200 characters and not pusher: or pusher_internal:.`);
    }
    const invalid = channels.find((channel) => !isPusherChannelName(channel as unknown) && !isServerToUserChannel(channel));
    if (invalid !== undefined) throw new Error(`"${String(invalid)}" is no Pusher channel name.`);
    const from = exceptSocketId === undefined ? null : { clientId: exceptSocketId };
    const payload: PusherEventPayload = { event, data };
    let delivered = 0;
    for (const channel of channels) delivered += await this.services.channels.publish(this.coreName(app, channel), payload, from);
    return delivered;
  }

  /** The distinct users of an app's presence channel, with their user_info. */
  async users(appId: string, channel: string): Promise<Map<string, unknown>> {
    const app = this.app(appId);
    return usersOf(await this.services.presence.list(this.coreName(app, channel)));
  }
}
