import { RealtimeException, type ChannelRule } from '@nest-realtime/core';

const ROOM_PREFIX = 'room:';

/** How much of a room's chat is kept for clients that come back (resume): the last 100 messages, for 2 minutes. */
export const ROOM_HISTORY = { size: 100, ttl: 120_000 };

/** A member's status in a room: `away` is the server's (a timeout), the others the member's own choice. */
export const ROOM_STATUSES = ['online', 'away', 'busy'] as const;
export type RoomStatus = (typeof ROOM_STATUSES)[number];

/** The one key of a room's shared state members may write: its topic, a string of at most 200 characters. */
export const ROOM_TOPIC_KEY = 'topic';
export const ROOM_TOPIC_MAX_LENGTH = 200;

export interface RoomChannelOptions {
  /** ms without activity after which an `online` member is shown `away` (`PRESENCE_AWAY_MS`). */
  awayAfter: number;
}

/**
 * Members may set or clear the topic and nothing else. Anyone with a name gets a token here, so a member
 * free to write any key could fill every room's state, which each joiner downloads, with whatever it likes.
 */
export function authorizeRoomStateWrite({ key, value }: { key: string; value?: unknown }): boolean {
  if (key !== ROOM_TOPIC_KEY) return false;
  if (value === undefined || (typeof value === 'string' && value.length <= ROOM_TOPIC_MAX_LENGTH)) return true;
  throw new RealtimeException('invalid', `A room's topic is text of at most ${ROOM_TOPIC_MAX_LENGTH} characters.`);
}

/**
 * Rooms track who is in them and in which status, their members may publish and set the topic, and they
 * keep their recent messages.
 */
export function roomChannels({ awayAfter }: RoomChannelOptions): ChannelRule[] {
  return [
    {
      pattern: `${ROOM_PREFIX}*`,
      presence: true,
      publish: 'members',
      history: ROOM_HISTORY,
      statuses: {
        statuses: [...ROOM_STATUSES],
        initial: 'online',
        settable: ['online', 'busy'],
        timeouts: [{ from: ['online'], to: 'away', after: awayAfter }],
      },
      state: { write: authorizeRoomStateWrite },
    },
  ];
}

export function roomChannel(room: string): string {
  return `${ROOM_PREFIX}${room}`;
}
