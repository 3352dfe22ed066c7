import type { ChannelRule } from '@app/realtime';

const ROOM_PREFIX = 'room:';

/** Rooms track who is in them, and their members may publish. */
export const ROOM_CHANNELS: ChannelRule[] = [{ pattern: `${ROOM_PREFIX}*`, presence: true, publish: 'members' }];

export function roomChannel(room: string): string {
  return `${ROOM_PREFIX}${room}`;
}
