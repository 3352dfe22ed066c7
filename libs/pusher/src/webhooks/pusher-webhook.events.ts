/** The events of a webhook batch, as Pusher sends them. */
export type PusherWebhookPayloadEvent =
  | { name: 'channel_occupied' | 'channel_vacated'; channel: string }
  | { name: 'member_added' | 'member_removed'; channel: string; user_id: string }
  | { name: 'client_event'; channel: string; event: string; data: string; socket_id: string; user_id?: string };

/** The body of one webhook request. */
export interface PusherWebhookBatch {
  time_ms: number;
  events: PusherWebhookPayloadEvent[];
}
