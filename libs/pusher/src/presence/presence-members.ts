import type { PresenceMeta, PresenceState } from '@nest-realtime/protocol';

/** What a Pusher member's presence meta holds in the core (besides the core's `connectionId`, `onlineAt`). */
export interface PusherMemberMeta {
  user_id: string;
  user_info?: unknown;
}

/**
 * The Pusher user a core presence meta stands for: its `user_id` when it carries a string one (a Pusher
 * member's, or a native member that names its user), else the clientId it is kept under (a native member).
 */
export function userOf(clientId: string, meta: Record<string, unknown>): string {
  return typeof meta.user_id === 'string' && meta.user_id.length > 0 ? meta.user_id : clientId;
}

/** The `user_info` a meta shows Pusher clients: its own `user_info`, or the whole meta of a native member without the core's fields. */
export function infoOf(meta: Record<string, unknown>): unknown {
  if (typeof meta.user_id === 'string') return meta.user_info ?? null;
  const { connectionId: _connection, onlineAt: _online, ...rest } = meta;
  return rest;
}

/** The distinct users of a core presence state, with the info of each one's first meta. */
export function usersOf(state: PresenceState): Map<string, unknown> {
  const users = new Map<string, unknown>();
  for (const [clientId, { metas }] of Object.entries(state)) {
    for (const meta of metas as PresenceMeta[]) {
      const user = userOf(clientId, meta);
      if (!users.has(user)) users.set(user, infoOf(meta));
    }
  }
  return users;
}
