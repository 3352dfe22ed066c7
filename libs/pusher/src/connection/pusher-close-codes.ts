import { CloseCode } from '@nest-realtime/protocol';
import { PusherErrorCode } from '../protocol/pusher.error-codes';

/**
 * The close code a Pusher client gets for a close the core makes, chosen for what pusher-js does with it
 * (4000–4099: stay closed, 4100–4199: reconnect after a back-off, 4200–4299: reconnect at once).
 */
const CLOSE_CODES: Record<number, number> = {
  [CloseCode.GoingAway]: PusherErrorCode.GenericReconnect,
  [CloseCode.ServiceRestart]: PusherErrorCode.GenericReconnect,
  [CloseCode.InternalError]: PusherErrorCode.OverCapacity,
  [CloseCode.HeartbeatTimeout]: PusherErrorCode.PongNotReceived,
  [CloseCode.IdleTimeout]: PusherErrorCode.ClosedAfterInactivity,
  [CloseCode.SlowConsumer]: PusherErrorCode.OverCapacity,
  [CloseCode.DisconnectedByApplication]: PusherErrorCode.Unauthorized,
  [CloseCode.PolicyViolation]: PusherErrorCode.Unauthorized,
  [CloseCode.TooLarge]: PusherErrorCode.Unauthorized,
  [CloseCode.InvalidPayload]: PusherErrorCode.Unauthorized,
};

/** The core's close codes as Pusher's; Pusher's own (4000–4399) and 1000 as they are. */
export function pusherCloseCode(code: number): number {
  return CLOSE_CODES[code] ?? (code === CloseCode.Normal || (code >= 4000 && code < 4400) ? code : PusherErrorCode.GenericReconnect);
}
