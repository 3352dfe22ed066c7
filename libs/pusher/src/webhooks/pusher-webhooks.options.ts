import type { PusherWebhookEvent, PusherWebhookOptions } from '../options/pusher-options.interface';

export const WEBHOOK_EVENTS: readonly PusherWebhookEvent[] = ['channel_occupied', 'channel_vacated', 'member_added', 'member_removed', 'client_event'];

export interface ResolvedWebhook {
  readonly url: string;
  readonly events: ReadonlySet<PusherWebhookEvent>;
}

/** Checks an app's `webhooks` (named `at` in messages); `fail` builds the error of a bad one. */
export function resolveWebhooks(webhooks: unknown, at: string, fail: (name: string, expected: string, got: unknown) => Error): ResolvedWebhook[] {
  if (webhooks === undefined) return [];
  if (!Array.isArray(webhooks)) throw fail(at, 'an array of {url, events?}', webhooks);
  return webhooks.map((webhook: PusherWebhookOptions, index) => {
    const name = `${at}[${index}]`;
    if (typeof webhook !== 'object' || webhook === null) throw fail(name, 'an object {url, events?}', webhook);
    let url: URL | undefined;
    try {
      url = new URL(webhook.url);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) throw fail(`${name}.url`, 'an http: or https: URL', webhook.url);
    const events = webhook.events ?? WEBHOOK_EVENTS;
    if (!Array.isArray(events) || events.length === 0 || events.some((event) => !WEBHOOK_EVENTS.includes(event))) {
      throw fail(`${name}.events`, `a non-empty array of ${WEBHOOK_EVENTS.join(', ')}`, webhook.events);
    }
    return Object.freeze({ url: webhook.url, events: new Set(events) });
  });
}
