import { Body, Controller, ForbiddenException, Get, Headers, HttpCode, HttpStatus, Inject, Post, UsePipes, ValidationPipe } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { authToken, channelAuthText } from '@nest-realtime/pusher';
import { bearerToken } from '../auth/jwt.authenticate';
import { verifiedToken } from '../auth/token.service';
import { DEMO_CONFIG, DemoConfig } from '../config/demo.config';
import { PusherAuthRequestDto } from './pusher-auth-request.dto';
import { pusherChannelRefusal } from './pusher.channels';

/** What pusher-js expects back: the signature, and for a presence channel the member it signed. */
export interface PusherChannelAuth {
  auth: string;
  channel_data?: string;
}

/**
 * What Pusher clients of the demo need besides the endpoint itself (RealtimePusherModule's `/app/{key}`):
 * the app's key, and the channel authorization endpoint of pusher-js (`channelAuthorization.endpoint`)
 * and Laravel Echo (`authEndpoint`).
 */
@Controller('pusher')
@UsePipes(new ValidationPipe({ whitelist: true }))
export class PusherController {
  constructor(
    private readonly jwt: JwtService,
    @Inject(DEMO_CONFIG) private readonly config: DemoConfig,
  ) {}

  /** The app's public key, which pusher-js connects with; the Pusher page reads it here. */
  @Get('app')
  app(): { key: string } {
    return { key: this.config.pusherApp.key };
  }

  /**
   * Signs a private or presence subscription for the user of the bearer token from `POST /auth/token`.
   * On a presence channel the member is that user: `user_id` is the name, `user_info` is `{name}`.
   * 403 without a valid token and for channels the user may not join (`pusherChannelRefusal`).
   */
  @Post('auth')
  @HttpCode(HttpStatus.OK)
  async authorize(
    @Headers('authorization') authorization: string | undefined,
    @Body() { socket_id, channel_name }: PusherAuthRequestDto,
  ): Promise<PusherChannelAuth> {
    const token = bearerToken(authorization);
    const verified = token ? await verifiedToken(this.jwt, token) : null;
    if (!verified) throw new ForbiddenException('Send the token of POST /auth/token as "Authorization: Bearer <token>".');
    const refusal = pusherChannelRefusal(verified.user, channel_name);
    if (refusal) throw new ForbiddenException(refusal);
    const app = this.config.pusherApp;
    if (!channel_name.startsWith('presence-')) return { auth: authToken(app, channelAuthText(socket_id, channel_name)) };
    const channelData = JSON.stringify({ user_id: verified.user, user_info: { name: verified.user } });
    return { auth: authToken(app, channelAuthText(socket_id, channel_name, channelData)), channel_data: channelData };
  }
}
