import { createHmac, timingSafeEqual } from 'crypto';

/** hex(HMAC-SHA256(secret, text)): the signature of channel authorizations, signins and the HTTP API. */
export function sign(secret: string, text: string): string {
  return createHmac('sha256', secret).update(text).digest('hex');
}

/** Whether two strings are equal, in a time that does not depend on where they first differ. */
export function safeEqual(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  // Compared with itself when the lengths differ, so that the time does not tell the length either.
  if (a.length !== b.length) {
    timingSafeEqual(b, b);
    return false;
  }
  return timingSafeEqual(a, b);
}

/** What a channel authorization signs: `socket_id:channel_name`, and `:channel_data` for a presence channel. */
export function channelAuthText(socketId: string, channel: string, channelData?: string): string {
  return channelData === undefined ? `${socketId}:${channel}` : `${socketId}:${channel}:${channelData}`;
}

/** What a user authentication (`pusher:signin`) signs: `socket_id::user::user_data`. */
export function userAuthText(socketId: string, userData: string): string {
  return `${socketId}::user::${userData}`;
}

/** The `auth` an app's authorization endpoint returns: `key:signature`. */
export function authToken(app: { key: string; secret: string }, text: string): string {
  return `${app.key}:${sign(app.secret, text)}`;
}

/** Whether `auth` (`key:signature`) is the app's signature of `text`; compared in constant time. */
export function verifyAuth(app: { key: string; secret: string }, auth: unknown, text: string): boolean {
  if (typeof auth !== 'string' || auth.length > 512) return false;
  return safeEqual(auth, authToken(app, text));
}
