import { OptionChecks, optionFailure } from '@nest-realtime/core/engine';
import type { PusherAppOptions, PusherModuleOptions } from './pusher-options.interface';

/** An app with every default filled in. */
export interface ResolvedPusherApp {
  readonly id: string;
  readonly key: string;
  readonly secret: string;
  readonly channelPrefix: string;
  readonly maxConnections: number;
  readonly clientEvents: boolean;
  readonly clientEventsPerSecond: number;
  readonly maxPresenceMembers: number;
  readonly enabled: boolean;
}

export interface ResolvedPusherOptions {
  readonly apps: readonly ResolvedPusherApp[];
  /** The apps by key (`/app/{key}`). */
  readonly byKey: ReadonlyMap<string, ResolvedPusherApp>;
  /** The apps by id (`/apps/{id}/…`). */
  readonly byId: ReadonlyMap<string, ResolvedPusherApp>;
  /** Without a trailing slash: `/app`. */
  readonly path: string;
  /** Seconds. */
  readonly activityTimeout: number;
  readonly httpApi: boolean;
}

export const PUSHER_DEFAULTS = Object.freeze({
  path: '/app',
  activityTimeout: 120,
  httpApi: true,
  maxConnections: 0,
  clientEvents: true,
  clientEventsPerSecond: 10,
  maxPresenceMembers: 100,
});

const TOKEN = /^[A-Za-z0-9_\-.]{1,200}$/;

/** The module's option failures and checks: the core's kit, naming `RealtimePusherModule`. */
export const invalidPusherOption = optionFailure('RealtimePusherModule');
const invalid = invalidPusherOption;
const check = new OptionChecks(invalid);

function token(name: string, value: unknown): string {
  if (typeof value !== 'string' || !TOKEN.test(value)) throw invalid(name, '1 to 200 letters, digits, "_", "-" or "."', value);
  return value;
}

function resolveApp(app: PusherAppOptions, index: number, several: boolean): ResolvedPusherApp {
  const at = `apps[${index}]`;
  if (typeof app !== 'object' || app === null) throw invalid(at, 'an object {id, key, secret}', app);
  const id = token(`${at}.id`, app.id);
  const key = token(`${at}.key`, app.key);
  if (typeof app.secret !== 'string' || app.secret.length === 0) throw invalid(`${at}.secret`, 'a non-empty string', app.secret);
  const channelPrefix = app.channelPrefix ?? (several ? `${id}:` : '');
  if (typeof channelPrefix !== 'string' || (channelPrefix !== '' && !/[^A-Za-z0-9_\-=@,.;]/.test(channelPrefix)) || channelPrefix.length > 30) {
    throw invalid(`${at}.channelPrefix`, "'' or up to 30 characters with one a Pusher channel name cannot hold (':')", app.channelPrefix);
  }
  return Object.freeze({
    id,
    key,
    secret: app.secret,
    channelPrefix,
    maxConnections: check.integer(`${at}.maxConnections`, app.maxConnections, PUSHER_DEFAULTS.maxConnections, 0),
    clientEvents: check.boolean(`${at}.clientEvents`, app.clientEvents, PUSHER_DEFAULTS.clientEvents),
    clientEventsPerSecond: check.integer(`${at}.clientEventsPerSecond`, app.clientEventsPerSecond, PUSHER_DEFAULTS.clientEventsPerSecond, 1),
    maxPresenceMembers: check.integer(`${at}.maxPresenceMembers`, app.maxPresenceMembers, PUSHER_DEFAULTS.maxPresenceMembers, 1),
    enabled: check.boolean(`${at}.enabled`, app.enabled, true),
  });
}

/** Checks the options and fills in the defaults; throws an Error naming the first bad option. */
export function resolvePusherOptions(options: PusherModuleOptions): ResolvedPusherOptions {
  if (typeof options !== 'object' || options === null) throw invalid('options', 'an object {apps: [...]}', options);
  if (!Array.isArray(options.apps) || options.apps.length === 0) throw invalid('apps', 'a non-empty array of {id, key, secret}', options.apps);
  const several = options.apps.length > 1;
  const apps = options.apps.map((app, index) => resolveApp(app, index, several));
  const byKey = new Map<string, ResolvedPusherApp>();
  const byId = new Map<string, ResolvedPusherApp>();
  const prefixes = new Set<string>();
  apps.forEach((app, index) => {
    if (byId.has(app.id)) throw invalid(`apps[${index}].id`, 'unique among the apps', app.id);
    if (byKey.has(app.key)) throw invalid(`apps[${index}].key`, 'unique among the apps', app.key);
    if (prefixes.has(app.channelPrefix)) throw invalid(`apps[${index}].channelPrefix`, 'unique among the apps', app.channelPrefix);
    byId.set(app.id, app);
    byKey.set(app.key, app);
    prefixes.add(app.channelPrefix);
  });
  const path = options.path ?? PUSHER_DEFAULTS.path;
  if (typeof path !== 'string' || !/^\/[A-Za-z0-9_\-./]*$/.test(path)) throw invalid('path', 'a path such as "/app"', path);
  const activityTimeout = check.integer('activityTimeout', options.activityTimeout, PUSHER_DEFAULTS.activityTimeout, 1);
  return Object.freeze({
    apps,
    byKey,
    byId,
    path: path.length > 1 ? path.replace(/\/+$/, '') : path,
    activityTimeout,
    httpApi: check.boolean('httpApi', options.httpApi, PUSHER_DEFAULTS.httpApi),
  });
}
