import type { ErrorBody, ReplyData } from './frame.types';
import type { ChannelGap, ChannelKicked, ChannelMessage, DirectMessage } from './message.types';
import type { PresenceDiff, PresenceStateMessage } from './presence.types';
import type { ServerEventName } from './protocol.events';
import type { StateDiff, StateSnapshot } from './state.types';
import type { HeartbeatSettings, ServerState, Welcome } from './session.types';

/** The `data` of each event the server sends; one entry per name in `SERVER_EVENTS`. */
export interface ServerEventPayloads {
  'connection:welcome': Welcome;
  'connection:pong': { t?: unknown };
  /** The heartbeat's values now in force, sent when the server changes them (adaptive heartbeat). */
  'connection:heartbeat': HeartbeatSettings;
  'connection:state': ServerState;
  'channel:message': ChannelMessage;
  'channel:kicked': ChannelKicked;
  'channel:gap': ChannelGap;
  /** In the default `full` form; a member that joined with `presenceFormat: 'compact'` gets `CompactPresenceState`. */
  'presence:state': PresenceStateMessage;
  /** In the default `full` form; a member that joined with `presenceFormat: 'compact'` gets `CompactPresenceDiff`. */
  'presence:diff': PresenceDiff;
  'state:snapshot': StateSnapshot;
  'state:diff': StateDiff;
  'direct:message': DirectMessage;
  reply: ReplyData;
  error: ErrorBody;
}

// Fails to compile when SERVER_EVENTS and ServerEventPayloads name different events.
type Exactly<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const coversServerEvents: Exactly<keyof ServerEventPayloads, ServerEventName> = true;
void coversServerEvents;
