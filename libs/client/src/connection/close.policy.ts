import { ClientMessages } from '../error/client.messages';
import { RealtimeError } from '../error/realtime.error';
import { CloseCode } from '@nest-realtime/protocol';
import type { TransportClose } from '../transport/transport.interface';

export type CloseDecision =
  | { reconnect: true; restart: boolean }
  /** Final: the client stops in `disconnected`, with the error that says why. */
  | { reconnect: false; error: RealtimeError };

/**
 * What the client does after a connection it did not close itself ends:
 * - refused upgrade 401/403, close 1008 (policy), 4001 (the application's kick), 4003 (idle) and 1000: stop;
 * - anything else (1001, 1006, 1011, 1012, 4000, refused 429/503…): reconnect, 1012 with restart jitter.
 */
export function decideAfterClose({ code, reason, status }: TransportClose): CloseDecision {
  if (status === 401) return { reconnect: false, error: new RealtimeError('unauthorized', ClientMessages.unauthorized(status)) };
  if (status === 403) return { reconnect: false, error: new RealtimeError('forbidden', ClientMessages.forbidden()) };
  switch (code) {
    case CloseCode.Normal:
      return { reconnect: false, error: new RealtimeError('server_closed', ClientMessages.serverClosed(reason)) };
    case CloseCode.PolicyViolation:
      return { reconnect: false, error: new RealtimeError('policy', ClientMessages.policy(reason)) };
    case CloseCode.DisconnectedByApplication:
      return { reconnect: false, error: new RealtimeError('kicked', ClientMessages.kicked(reason)) };
    // Reconnecting at once would defeat the server's idle timeout: the application reconnects on activity.
    case CloseCode.IdleTimeout:
      return { reconnect: false, error: new RealtimeError('idle', ClientMessages.idle(reason)) };
    default:
      return { reconnect: true, restart: code === CloseCode.ServiceRestart };
  }
}
