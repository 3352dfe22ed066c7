import { OptionChecks } from '@nest-realtime/core/engine';
import type { PusherAppOptions, PusherModuleOptions } from '../options/pusher-options.interface';
import { invalidPusherOption } from '../options/pusher-options.resolver';
import { resolveWebhooks, ResolvedWebhook } from '../webhooks/pusher-webhooks.options';
import type { EventLimits } from './pusher-events.input';

/** What the HTTP API and the webhooks need of an app, every default filled in. */
export interface ResolvedApiApp extends EventLimits {
  readonly enabled: boolean;
  readonly webhooks: readonly ResolvedWebhook[];
}

export const PUSHER_API_DEFAULTS = Object.freeze({
  enabled: true,
  maxEventBytes: 10_240,
  maxChannelsPerEvent: 100,
  maxBatchEvents: 10,
});

const check = new OptionChecks(invalidPusherOption);

function resolveApiApp(app: PusherAppOptions, at: string): ResolvedApiApp {
  return Object.freeze({
    enabled: check.boolean(`${at}.enabled`, app.enabled, PUSHER_API_DEFAULTS.enabled),
    maxEventBytes: check.integer(`${at}.maxEventBytes`, app.maxEventBytes, PUSHER_API_DEFAULTS.maxEventBytes, 1),
    maxChannelsPerEvent: check.integer(`${at}.maxChannelsPerEvent`, app.maxChannelsPerEvent, PUSHER_API_DEFAULTS.maxChannelsPerEvent, 1),
    maxBatchEvents: check.integer(`${at}.maxBatchEvents`, app.maxBatchEvents, PUSHER_API_DEFAULTS.maxBatchEvents, 1),
    webhooks: resolveWebhooks(app.webhooks, `${at}.webhooks`, invalidPusherOption),
  });
}

/** The HTTP API's and webhooks' options of each app, by app id (the module's own checks ran first). */
export function resolveApiApps(options: PusherModuleOptions): ReadonlyMap<string, ResolvedApiApp> {
  return new Map(options.apps.map((app, index) => [app.id, resolveApiApp(app, `apps[${index}]`)]));
}
