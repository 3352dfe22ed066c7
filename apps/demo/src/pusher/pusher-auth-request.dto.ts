import { IsString, Matches, MaxLength } from 'class-validator';

/** What pusher-js (and Laravel Echo over it) posts, form-encoded, to authorize a subscription. */
export class PusherAuthRequestDto {
  /** The connection's id from `pusher:connection_established`, `<digits>.<digits>`. */
  @IsString()
  @Matches(/^\d+\.\d+$/, { message: 'socket_id must be the socket id of a Pusher connection, such as 1234.5678' })
  socket_id: string;

  /** Only private and presence channels are authorized; public ones need nothing. */
  @IsString()
  @MaxLength(164, { message: 'channel_name must be at most 164 characters' })
  @Matches(/^(private|presence)-[A-Za-z0-9_\-=@,.;]+$/, {
    message: 'channel_name must be a private- or presence- channel name (letters, digits and _-=@,.;)',
  })
  channel_name: string;
}
