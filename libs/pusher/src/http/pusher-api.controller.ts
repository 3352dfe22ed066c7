import { applyDecorators, Controller, Get, Header, HttpCode, HttpStatus, Param, Post, UseGuards } from '@nestjs/common';
import { ChannelAttributes, ChannelInfo, PusherApiService } from './pusher-api.service';
import { batchRequestOf, channelNameOf, eventsRequestOf, infoOf } from './pusher-events.input';
import { PusherSignatureGuard } from './pusher-signature.guard';
import { Verified, VerifiedRequest } from './verified-request';

/** Answers that hold live data: never cached. */
const Live = () => applyDecorators(Header('cache-control', 'no-store'));

/**
 * Pusher's HTTP API, as the server SDKs call it: `/apps/{id}/…` at the root of the application (an app
 * with a global prefix excludes `apps/(.*)` from it). Every route is signed (`PusherSignatureGuard`).
 */
@Controller('apps/:appId')
@UseGuards(PusherSignatureGuard)
export class PusherApiController {
  constructor(private readonly api: PusherApiService) {}

  /** Triggers an event on 1 to `maxChannelsPerEvent` channels: `{}`, or `{channels}` with `info`. */
  @Post('events')
  @HttpCode(HttpStatus.OK)
  @Live()
  async events(@Verified() request: VerifiedRequest): Promise<{ channels?: Record<string, ChannelAttributes> }> {
    const trigger = eventsRequestOf(request.body, request.api, request.query.info);
    const channels = await this.api.trigger(request.app, trigger);
    return channels ? { channels } : {};
  }

  /** Triggers up to `maxBatchEvents` events: `{}`, or `{batch}` (one entry per event) when one asks for `info`. */
  @Post('batch_events')
  @HttpCode(HttpStatus.OK)
  @Live()
  async batchEvents(@Verified() request: VerifiedRequest): Promise<{ batch?: ChannelAttributes[] }> {
    const triggers = batchRequestOf(request.body, request.api);
    const infos: Array<Record<string, ChannelAttributes> | undefined> = [];
    for (const trigger of triggers) infos.push(await this.api.trigger(request.app, trigger));
    if (triggers.every((trigger) => trigger.info.length === 0)) return {};
    return { batch: infos.map((channels, index) => channels?.[triggers[index].channels[0]] ?? {}) };
  }

  /** `{channels: {name: {user_count?, subscription_count?}}}`, `filter_by_prefix` and `info` applied. */
  @Get('channels')
  @Live()
  async channels(@Verified() request: VerifiedRequest): Promise<{ channels: Record<string, ChannelAttributes> }> {
    return { channels: await this.api.list(request.app, request.query.filter_by_prefix ?? '', infoOf(request.query.info)) };
  }

  /** `{occupied, user_count?, subscription_count?}`. */
  @Get('channels/:channel')
  @Live()
  channel(@Verified() request: VerifiedRequest, @Param('channel') channel: string): Promise<ChannelInfo> {
    return this.api.info(request.app, channelNameOf(channel), infoOf(request.query.info));
  }

  /** `{users: [{id}]}` of a presence channel. */
  @Get('channels/:channel/users')
  @Live()
  async users(@Verified() request: VerifiedRequest, @Param('channel') channel: string): Promise<{ users: Array<{ id: string }> }> {
    return { users: await this.api.users(request.app, channelNameOf(channel)) };
  }
}
