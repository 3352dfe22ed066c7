const PRIVATE_USER_PREFIX = 'private-user-';
const ENCRYPTED_PREFIX = 'private-encrypted-';

/** `private-user-<user>`: a user's own Pusher channel, as `private:<user>` is on the native protocol. */
export function privateUserChannel(user: string): string {
  return `${PRIVATE_USER_PREFIX}${user}`;
}

/**
 * Why `user` may not subscribe to `channel`, or null when it may. Any signed-in user may join the other
 * private and presence channels: anyone gets a token here, so they hold nothing a name could not reach.
 */
export function pusherChannelRefusal(user: string, channel: string): string | null {
  if (channel.startsWith(ENCRYPTED_PREFIX)) {
    return 'The demo has no encryption master key: private-encrypted- channels are not served. Use a private- channel.';
  }
  if (channel.startsWith(PRIVATE_USER_PREFIX) && channel !== privateUserChannel(user)) {
    return `${channel} is another user's channel: only ${privateUserChannel(user)} is yours.`;
  }
  return null;
}
