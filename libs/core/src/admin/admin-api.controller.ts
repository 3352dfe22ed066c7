import { applyDecorators, Body, Get, Header, Headers, HttpCode, HttpStatus, Inject, Param, Post, Query } from '@nestjs/common';
import type { PresenceState } from '@nest-realtime/protocol';
import { bodyIntegerOf, bodyOf, channelOf, idOf, pagingOf, payloadOf, queryOf, reasonOf, requiredIdOf } from './admin.input';
import { AdminChannels, AdminConnections, AdminMembers, AdminNodes, RealtimeAdminService } from './admin.service';

/** Answers that hold live data: never cached, never sniffed. */
const Live = () => applyDecorators(Header('cache-control', 'no-store'), Header('x-content-type-options', 'nosniff'));
/** A POST that acts: 200 with what it did. */
const Action = (path: string) => applyDecorators(Post(path), HttpCode(HttpStatus.OK), Live());

const DISCONNECTED = 'disconnected by an administrator';
const KICKED = 'removed by an administrator';
/** A day: a longer drain is a mistake. */
const MAX_DRAIN_WINDOW = 86_400_000;

/**
 * The admin API, under `<path>/api`. The module serves a subclass of it with the path and the guard of
 * its options (admin.controllers.ts); the routes are these.
 */
export class AdminApiController {
  // Named, not reflected: this class is not decorated itself, its subclasses are.
  constructor(@Inject(RealtimeAdminService) private readonly admin: RealtimeAdminService) {}

  @Get('nodes')
  @Live()
  nodes(@Query() query: unknown): Promise<AdminNodes> {
    queryOf(query, []);
    return this.admin.nodes();
  }

  /** This node's connections, paged; `clientId` and `channel` filter them. */
  @Get('connections')
  @Live()
  connections(@Query() query: unknown): Promise<AdminConnections> {
    const checked = queryOf(query, ['clientId', 'channel', 'offset', 'limit']);
    const channel = checked.channel === undefined ? undefined : channelOf(checked.channel);
    return this.admin.connectionsPage({ clientId: idOf('clientId', checked.clientId), channel }, pagingOf(checked));
  }

  @Action('connections/:connectionId/disconnect')
  disconnect(@Param('connectionId') connectionId: string, @Headers('content-type') type: string | undefined, @Body() body: unknown): { disconnected: number } {
    const { reason } = bodyOf(type, body, ['reason']);
    return this.admin.disconnect(requiredIdOf('connectionId', connectionId), reasonOf(reason, DISCONNECTED));
  }

  @Action('clients/:clientId/disconnect')
  disconnectClient(@Param('clientId') clientId: string, @Headers('content-type') type: string | undefined, @Body() body: unknown): { disconnected: number } {
    const { reason } = bodyOf(type, body, ['reason']);
    return this.admin.disconnectClient(requiredIdOf('clientId', clientId), reasonOf(reason, DISCONNECTED));
  }

  /** Channels with their member counts, by name, paged; `prefix` filters them. */
  @Get('channels')
  @Live()
  channels(@Query() query: unknown): Promise<AdminChannels> {
    const checked = queryOf(query, ['prefix', 'offset', 'limit']);
    return this.admin.channelsPage(idOf('prefix', checked.prefix), pagingOf(checked));
  }

  @Get('channels/:channel/members')
  @Live()
  members(@Param('channel') channel: string, @Query() query: unknown): Promise<AdminMembers> {
    const checked = queryOf(query, ['offset', 'limit']);
    return this.admin.membersPage(channelOf(channel), pagingOf(checked));
  }

  @Get('channels/:channel/presence')
  @Live()
  presence(@Param('channel') channel: string, @Query() query: unknown): Promise<{ channel: string; presence: PresenceState }> {
    queryOf(query, []);
    return this.admin.presenceOf(channelOf(channel));
  }

  @Action('channels/:channel/kick')
  kick(@Param('channel') channel: string, @Headers('content-type') type: string | undefined, @Body() body: unknown): Promise<{ kicked: number }> {
    const { clientId, reason } = bodyOf(type, body, ['clientId', 'reason']);
    return this.admin.kick(channelOf(channel), requiredIdOf('clientId', clientId), reasonOf(reason, KICKED));
  }

  @Action('channels/:channel/publish')
  publish(@Param('channel') channel: string, @Headers('content-type') type: string | undefined, @Body() body: unknown): Promise<{ delivered: number }> {
    const { payload } = bodyOf(type, body, ['payload']);
    return this.admin.publish(channelOf(channel), payloadOf(payload));
  }

  /** Starts this node's drain (ConnectionService.drain) and answers 202 at once; the drain goes on for its window. */
  @Post('drain')
  @HttpCode(HttpStatus.ACCEPTED)
  @Live()
  drain(@Headers('content-type') type: string | undefined, @Body() body: unknown): { draining: true; started: boolean } {
    const { window } = bodyOf(type, body, ['window']);
    return this.admin.drain(bodyIntegerOf('window', window, 0, MAX_DRAIN_WINDOW));
  }
}
