import type { ChannelRule } from '@nest-realtime/core';

/**
 * The channel rules of the web nodes, and of every process that publishes to their channels (such as
 * apps/example-push-worker): the node that publishes applies them, history included.
 */
export const CHAT_CHANNELS: ChannelRule[] = [
  // Chat rooms: members publish, everyone sees who is there, and a client back within a minute gets what it missed.
  { pattern: 'room:*', presence: true, history: { size: 50, ttl: 60_000 } },
  // News: only server code publishes (the push worker); clients join to listen.
  { pattern: 'news:*', publish: 'server', history: { size: 20, ttl: 60_000 } },
];
