import type { TranslatedConnection } from '@nest-realtime/core/protocols';
import type { PusherSession } from '../connection/pusher-session';
import { PusherErrorCode } from '../protocol/pusher.error-codes';
import { PusherEvent } from '../protocol/pusher.events';
import { encodePusherFrame, errorFrame } from '../protocol/pusher.frames';
import { INVALID_SIGNIN } from '../pusher.messages';
import { userAuthText, verifyAuth } from './pusher-signature';

function userData(text: unknown): Record<string, unknown> | undefined {
  if (typeof text !== 'string' || text.length > 10 * 1024) return undefined;
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
    const { id } = parsed as Record<string, unknown>;
    return typeof id === 'string' && id.length > 0 && id.length <= 128 ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `pusher:signin` `{auth, user_data}`: a valid signature of `socket_id::user::user_data` signs the
 * connection in as `user_data.id` (`pusher:signin_success`); any other is refused with 4009 and the
 * connection closed, as Pusher does. Returns whether it signed in.
 */
export function signIn(connection: TranslatedConnection, session: PusherSession, data: Record<string, unknown>): boolean {
  const user = userData(data.user_data);
  if (!user || !verifyAuth(session.app, data.auth, userAuthText(session.socketId, data.user_data as string))) {
    connection.write(errorFrame(PusherErrorCode.Unauthorized, INVALID_SIGNIN));
    return false;
  }
  session.user = { id: user.id as string, data: user };
  connection.write(encodePusherFrame(PusherEvent.SigninSuccess, { user_data: data.user_data }));
  return true;
}
