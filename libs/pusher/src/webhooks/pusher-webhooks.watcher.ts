import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { ChannelEvent, PresenceEvent } from '@nest-realtime/core';
import type { Subscription } from 'rxjs';
import { PusherChannels } from '../channels/pusher-channels';
import { RealtimeServicesAccessor } from '../realtime-services.accessor';
import { isPusherEventPayload } from '../channels/pusher-event-payload';
import type { ResolvedPusherApp } from '../options/pusher-options.resolver';
import { userOf } from '../presence/presence-members';
import { channelKind } from '../protocol/channel-names';
import { CLIENT_EVENT_PREFIX } from '../protocol/pusher.events';
import { OccupancyTracker } from './occupancy.tracker';
import { PusherWebhooksDispatcher } from './pusher-webhooks.dispatcher';

/** A core channel as one app's Pusher channel. */
interface AppChannel {
  app: ResolvedPusherApp;
  channel: string;
}

const USER_KEY = (core: string, user: string) => `${core}\n${user}`;

/**
 * Watches the core's streams for the events the apps' receivers want, and hands them to the dispatcher:
 * `channel_occupied`/`channel_vacated` from memberships, `member_added`/`member_removed` per user from
 * presence, `client_event` from publishes of `client-` events. Each node reports what its own connections
 * do, checked against the counts on every node (see `OccupancyTracker`). With no receiver, nothing is watched.
 */
@Injectable()
export class PusherWebhooksWatcher implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('RealtimePusherWebhooks');
  private readonly subscriptions: Subscription[] = [];
  private readonly channelsTracker: OccupancyTracker;
  private readonly usersTracker: OccupancyTracker;

  constructor(
    private readonly dispatcher: PusherWebhooksDispatcher,
    private readonly pusher: PusherChannels,
    private readonly realtime: RealtimeServicesAccessor,
  ) {
    const failed = (error: unknown) => this.logger.warn(`A webhook event could not be worked out: ${error instanceof Error ? error.message : String(error)}`);
    this.channelsTracker = new OccupancyTracker(async (core) => (await this.realtime.channels.members(core)).length, {
      occupied: (core) => this.emitChannel(core, 'channel_occupied'),
      vacated: (core) => this.emitChannel(core, 'channel_vacated'),
      failed,
    });
    this.usersTracker = new OccupancyTracker((key) => this.connectionsOfUser(key), {
      occupied: (key) => this.emitMember(key, 'member_added'),
      vacated: (key) => this.emitMember(key, 'member_removed'),
      failed,
    });
  }

  onModuleInit(): void {
    if (this.dispatcher.apps.length === 0) return;
    this.subscriptions.push(
      this.realtime.channels.channel$.subscribe((event) => this.membership(event)),
      this.realtime.channels.message$.subscribe((event) => this.message(event)),
      this.realtime.presence.presence$.subscribe((event) => this.presenceChange(event)),
    );
  }

  /** Resolves once every count read so far is done and its event handed over (tests). */
  async settled(): Promise<void> {
    await Promise.all([this.channelsTracker.settled(), this.usersTracker.settled()]);
  }

  onApplicationShutdown(): void {
    this.subscriptions.forEach((subscription) => subscription.unsubscribe());
  }

  private membership(event: ChannelEvent): void {
    if (event.type === 'message') return;
    const target = this.appChannelOf(event.channel);
    if (!target || !(this.dispatcher.wants(target.app.id, 'channel_occupied') || this.dispatcher.wants(target.app.id, 'channel_vacated'))) return;
    if (event.type === 'join') this.channelsTracker.joined(event.channel);
    else this.channelsTracker.left(event.channel);
  }

  private presenceChange(event: PresenceEvent): void {
    if (event.type !== 'join' && event.type !== 'leave') return;
    const target = this.appChannelOf(event.channel);
    if (!target || channelKind(target.channel) !== 'presence') return;
    if (!(this.dispatcher.wants(target.app.id, 'member_added') || this.dispatcher.wants(target.app.id, 'member_removed'))) return;
    const key = USER_KEY(event.channel, userOf(event.clientId, event.meta));
    if (event.type === 'join') this.usersTracker.joined(key);
    else this.usersTracker.left(key);
  }

  private message(event: ChannelEvent): void {
    const payload = event.payload;
    // A client event is published by its sender's connection; server code publishes with none.
    if (!event.connectionId || !event.clientId || !isPusherEventPayload(payload) || !payload.event.startsWith(CLIENT_EVENT_PREFIX)) return;
    const target = this.appChannelOf(event.channel);
    if (!target || !this.dispatcher.wants(target.app.id, 'client_event')) return;
    const data = typeof payload.data === 'string' ? payload.data : JSON.stringify(payload.data ?? null);
    this.dispatcher.emit(target.app.id, {
      name: 'client_event',
      channel: target.channel,
      event: payload.event,
      data,
      socket_id: event.clientId,
      ...(typeof payload.user_id === 'string' ? { user_id: payload.user_id } : {}),
    });
  }

  private emitChannel(core: string, name: 'channel_occupied' | 'channel_vacated'): void {
    const target = this.appChannelOf(core);
    if (target && this.dispatcher.wants(target.app.id, name)) this.dispatcher.emit(target.app.id, { name, channel: target.channel });
  }

  private emitMember(key: string, name: 'member_added' | 'member_removed'): void {
    const [core, user] = splitKey(key);
    const target = this.appChannelOf(core);
    if (target && this.dispatcher.wants(target.app.id, name)) this.dispatcher.emit(target.app.id, { name, channel: target.channel, user_id: user });
  }

  /** How many connections of a user a presence channel holds, on every node. */
  private async connectionsOfUser(key: string): Promise<number> {
    const [core, user] = splitKey(key);
    const state = await this.realtime.presence.list(core);
    let connections = 0;
    for (const [clientId, { metas }] of Object.entries(state)) {
      for (const meta of metas) if (userOf(clientId, meta) === user) connections++;
    }
    return connections;
  }

  /** The app with receivers whose channel this core channel is, and its Pusher name. */
  private appChannelOf(core: string): AppChannel | undefined {
    for (const app of this.dispatcher.apps) {
      const channel = this.pusher.pusherName(app, core);
      if (channel !== undefined) return { app, channel };
    }
    return undefined;
  }
}

function splitKey(key: string): [string, string] {
  const cut = key.indexOf('\n');
  return [key.slice(0, cut), key.slice(cut + 1)];
}
