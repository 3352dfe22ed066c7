import type { ChannelRule } from '@nest-realtime/core';

const ROOM_PREFIX = 'room:';

/** How much of a room's chat is kept for clients that come back (resume): the last 100 messages, for 2 minutes. */
export const ROOM_HISTORY = { size: 100, ttl: 120_000 };

/** Rooms track who is in them, their members may publish, and they keep their recent messages. */
export const ROOM_CHANNELS: ChannelRule[] = [{ pattern: `${ROOM_PREFIX}*`, presence: true, publish: 'members', history: ROOM_HISTORY }];

export function roomChannel(room: string): string {
  return `${ROOM_PREFIX}${room}`;
}
