import { HttpStatus, Injectable } from '@nestjs/common';
import { PusherChannels } from '../channels/pusher-channels';
import { RealtimeServicesAccessor } from '../realtime-services.accessor';
import type { ResolvedPusherApp } from '../options/pusher-options.resolver';
import { usersOf } from '../presence/presence-members';
import { channelKind } from '../protocol/channel-names';
import { ApiRequestError, InfoAttribute, PusherTrigger } from './pusher-events.input';
import { BAD_REQUEST } from './pusher-http.messages';

/** What `info` tells of a channel. */
export interface ChannelAttributes {
  user_count?: number;
  subscription_count?: number;
}

export interface ChannelInfo extends ChannelAttributes {
  occupied: boolean;
}

/**
 * The HTTP API's work over the core's channels: triggers through `PusherChannels`, and what the queries
 * answer. Counts are of every node (the engine's); the channel list holds the channels with a member on
 * this node (`ChannelService.active()`), which with one node is every occupied channel.
 */
@Injectable()
export class PusherApiService {
  constructor(
    private readonly pusher: PusherChannels,
    private readonly realtime: RealtimeServicesAccessor,
  ) {}

  /** Publishes one event; resolves to the `info` of its channels when it asked for any, else undefined. */
  async trigger(app: ResolvedPusherApp, trigger: PusherTrigger): Promise<Record<string, ChannelAttributes> | undefined> {
    await this.pusher.trigger(app.id, trigger.channels, trigger.name, trigger.data, trigger.socketId);
    if (trigger.info.length === 0) return undefined;
    const entries = await Promise.all(trigger.channels.map(async (channel) => [channel, await this.attributes(app, channel, trigger.info)] as const));
    return Object.fromEntries(entries);
  }

  /** `GET /channels`: the app's occupied channels, by name, those starting with `prefix` only. */
  async list(app: ResolvedPusherApp, prefix: string, info: InfoAttribute[]): Promise<Record<string, ChannelAttributes>> {
    if (info.includes('user_count') && !prefix.startsWith('presence-')) throw new ApiRequestError(HttpStatus.BAD_REQUEST, BAD_REQUEST.userCountNeedsPresence);
    const result: Record<string, ChannelAttributes> = {};
    for (const { channel: core, members } of await this.realtime.channels.active()) {
      const channel = this.pusher.pusherName(app, core);
      if (channel === undefined || !channel.startsWith(prefix)) continue;
      const attributes: ChannelAttributes = {};
      if (info.includes('user_count')) attributes.user_count = await this.userCount(app, channel);
      if (info.includes('subscription_count')) attributes.subscription_count = members;
      result[channel] = attributes;
    }
    return result;
  }

  /** `GET /channels/{name}`. */
  async info(app: ResolvedPusherApp, channel: string, info: InfoAttribute[]): Promise<ChannelInfo> {
    if (info.includes('user_count') && channelKind(channel) !== 'presence') throw new ApiRequestError(HttpStatus.BAD_REQUEST, BAD_REQUEST.userCountNeedsPresence);
    const subscriptions = await this.subscriptionCount(app, channel);
    const result: ChannelInfo = { occupied: subscriptions > 0 };
    if (info.includes('user_count')) result.user_count = await this.userCount(app, channel);
    if (info.includes('subscription_count')) result.subscription_count = subscriptions;
    return result;
  }

  /** `GET /channels/{name}/users`: each distinct user of a presence channel once. */
  async users(app: ResolvedPusherApp, channel: string): Promise<Array<{ id: string }>> {
    if (channelKind(channel) !== 'presence') throw new ApiRequestError(HttpStatus.BAD_REQUEST, BAD_REQUEST.notPresence(channel));
    return [...(await this.pusher.users(app.id, channel)).keys()].map((id) => ({ id }));
  }

  /** A trigger's `info`: `user_count` only where it means something (presence channels). */
  private async attributes(app: ResolvedPusherApp, channel: string, info: InfoAttribute[]): Promise<ChannelAttributes> {
    const attributes: ChannelAttributes = {};
    if (info.includes('user_count') && channelKind(channel) === 'presence') attributes.user_count = await this.userCount(app, channel);
    if (info.includes('subscription_count')) attributes.subscription_count = await this.subscriptionCount(app, channel);
    return attributes;
  }

  private async subscriptionCount(app: ResolvedPusherApp, channel: string): Promise<number> {
    return (await this.realtime.channels.members(this.pusher.coreName(app, channel))).length;
  }

  private async userCount(app: ResolvedPusherApp, channel: string): Promise<number> {
    return usersOf(await this.realtime.presence.list(this.pusher.coreName(app, channel))).size;
  }
}
