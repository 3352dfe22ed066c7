/** The channel of a signed-in user's server events (`pusher:signin`): pusher-js subscribes to it by itself. */
export const SERVER_TO_USER_PREFIX = '#server-to-user-';

export function serverToUserChannel(userId: string): string {
  return `${SERVER_TO_USER_PREFIX}${userId}`;
}

/** A server-to-user channel's name: the prefix and a user id of 1 to 128 printable characters. */
export function isServerToUserChannel(name: unknown): boolean {
  return typeof name === 'string' && name.startsWith(SERVER_TO_USER_PREFIX) && /^[\x21-\x7e]{1,128}$/.test(name.slice(SERVER_TO_USER_PREFIX.length));
}
