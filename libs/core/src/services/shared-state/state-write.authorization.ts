import { RealtimeException } from '../../errors/realtime.exception';
import type { RealtimeConnection } from '../connection/realtime-connection';
import type { ResolvedChannelState } from '../channel/channel.options';

/**
 * Whether a member may write a key of its channel's state, by the rule's `write`: `'members'` yes,
 * `'server'` no, a function by its answer (anything but `true`, or a throw, is `forbidden`; a thrown
 * `RealtimeException` is answered as it is). Membership is checked before: a private channel's
 * authorizer said yes to it already.
 */
export async function authorizeStateWrite(
  connection: RealtimeConnection,
  channel: string,
  key: string,
  value: unknown,
  state: ResolvedChannelState,
): Promise<void> {
  const { write } = state;
  if (write === 'members') return;
  if (write === 'server') throw new RealtimeException('forbidden', `Only the server writes the shared state of "${channel}".`);
  let allowed: unknown;
  try {
    allowed = await write({ connectionId: connection.id, clientId: connection.clientId, claims: connection.claims, channel, key, value });
  } catch (error) {
    if (error instanceof RealtimeException) throw error;
    allowed = false;
  }
  if (allowed !== true) throw new RealtimeException('forbidden', `Writing "${key}" of the shared state of "${channel}" is not allowed.`);
}
