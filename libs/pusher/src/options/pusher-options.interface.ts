/** One Pusher application: the credentials its clients and servers sign with, and its limits. */
export interface PusherAppOptions {
  /** The app id of the HTTP API's paths (`/apps/{id}/events`). Required. */
  id: string;
  /** The public key clients connect with (`/app/{key}`). Required. */
  key: string;
  /** The secret that signs channel authorizations and HTTP API requests. Required. */
  secret: string;
  /**
   * What the app's channel names are stored under in the core: Pusher channel `C` is core channel
   * `{channelPrefix}C`, so that apps never share a channel. A non-empty prefix must hold a character
   * Pusher channel names cannot (`:`, for one), so that no Pusher client can name another app's channel.
   * Default `''` when there is one app (native clients and Pusher clients share the names as they are),
   * `'{id}:'` for each app when there are several.
   */
  channelPrefix?: string;
  /** Most open Pusher connections of this app on this node; more are refused with 4100. `0`: no limit. Default `0`. */
  maxConnections?: number;
  /** Whether members of private and presence channels may send `client-` events. Default `true`. */
  clientEvents?: boolean;
  /** Client events one connection may send per second; past it, `pusher:error` 4301 and the event is dropped. Default `10`. */
  clientEventsPerSecond?: number;
  /** Most members (distinct user_ids) of one presence channel; one more is refused `pusher:subscription_error`. Default `100`. */
  maxPresenceMembers?: number;
  /** Whether the app is served. A disabled app's connections are refused with 4003, its HTTP API requests with 403. Default `true`. */
  enabled?: boolean;
  /** Most bytes (UTF-8) of one event's `data` the HTTP API takes; more is refused with 413. Default `10240` (Pusher's 10 KB). */
  maxEventBytes?: number;
  /** Most channels one event of the HTTP API may name; more is refused with 413. Default `100`. */
  maxChannelsPerEvent?: number;
  /** Most events of one `batch_events` request; more is refused with 413. Default `10`. */
  maxBatchEvents?: number;
  /**
   * Where the app's webhooks go: each URL gets the events it lists (all of them without `events`), in
   * batches `{time_ms, events}` signed with `X-Pusher-Key` and `X-Pusher-Signature`. Default `[]`: none.
   */
  webhooks?: PusherWebhookOptions[];
}

/** The webhook events: as Pusher names them. */
export type PusherWebhookEvent = 'channel_occupied' | 'channel_vacated' | 'member_added' | 'member_removed' | 'client_event';

/** One webhook receiver of an app. */
export interface PusherWebhookOptions {
  /** The `http:` or `https:` URL the batches are POSTed to. Required. */
  url: string;
  /** The events it gets. Default: all of them. */
  events?: PusherWebhookEvent[];
}

/** `RealtimePusherModule.forRoot(options)`. */
export interface PusherModuleOptions {
  /** The applications served. Required: at least one; ids and keys unique. */
  apps: PusherAppOptions[];
  /** Path prefix of the WebSocket endpoint: clients connect to `{path}/{key}`. Default `'/app'`. */
  path?: string;
  /**
   * Seconds of silence after which a client pings (`activity_timeout` of `pusher:connection_established`).
   * The server's own liveness check is the core's heartbeat: silent past `heartbeat.timeout`, closed with 4201.
   * Default `120`.
   */
  activityTimeout?: number;
  /** Serve the HTTP API (`/apps/{id}/…`). Default `true`. */
  httpApi?: boolean;
}
