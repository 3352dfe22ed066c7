import type { ChannelEvent, ConnectionEvent, ConnectionStateChange, PresenceEvent } from './realtime-events';

/** How a hook method runs; `E` is the event its decorator binds to. */
export interface HookOptions<E = unknown> {
  /** Order among the hooks of one event: higher runs first, equal priorities run in discovery order. Default `0`. */
  priority?: number;
  /** Runs the hook only for the events it returns `true` for; a filter that throws counts as a failure of the hook. Default: every event. */
  filter?: (event: E) => boolean;
}

/** The state changes an `@OnConnectionState` hook fires on; a missing side matches any state. */
export interface ConnectionStateMatch {
  /** The state the connection leaves. Default: any, including none (the initial state). */
  from?: string;
  /** The state the connection enters. Default: any. */
  to?: string;
}

/** What one decorator records on a method. Internal: read by the explorer through the metadata accessor. */
export type HookMetadata =
  | { kind: 'connection'; type: ConnectionEvent['type']; options: HookOptions<ConnectionEvent> }
  | { kind: 'connection-state'; match: ConnectionStateMatch; options: HookOptions<ConnectionStateChange> }
  | { kind: 'presence'; type: PresenceEvent['type']; pattern?: string; options: HookOptions<PresenceEvent> }
  | { kind: 'channel'; type: ChannelEvent['type']; pattern?: string; options: HookOptions<ChannelEvent> };
