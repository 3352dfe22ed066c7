/**
 * Declares an application's events and payloads for the client's generics:
 *
 * ```ts
 * interface ChatSchema {
 *   requests: { 'chat:shout': { data: { room: string; text: string }; result: { delivered: number } } };
 *   events: { 'system:notice': { text: string } };
 *   direct: { text: string };
 * }
 * const client = new RealtimeClient<ChatSchema>({ url });
 * ```
 */
export interface RealtimeSchema {
  /** Application requests (`@SubscribeMessage` handlers): event → the data sent and the reply's result. */
  requests?: Record<string, { data?: unknown; result?: unknown }>;
  /** Application events the server pushes (a handler's `WsResponse`, `GroupService.broadcast`): event → data. */
  events?: Record<string, unknown>;
  /** The payload of direct messages. */
  direct?: unknown;
}

type AnyRequests = Record<string, { data: unknown; result: unknown }>;

export type RequestsOf<S extends RealtimeSchema> = S extends { requests: infer R extends object } ? R : AnyRequests;
export type EventsOf<S extends RealtimeSchema> = S extends { events: infer E extends object } ? E : Record<string, unknown>;
export type DirectOf<S extends RealtimeSchema> = S extends { direct: infer D } ? D : unknown;

export type RequestData<S extends RealtimeSchema, E extends keyof RequestsOf<S>> = RequestsOf<S>[E] extends { data: infer D } ? D : unknown;
export type RequestResult<S extends RealtimeSchema, E extends keyof RequestsOf<S>> = RequestsOf<S>[E] extends { result: infer R } ? R : unknown;
