/** Injection token of the HTTP API's and webhooks' options of each app (`ReadonlyMap<appId, ResolvedApiApp>`). */
export const PUSHER_API_APPS = Symbol('PUSHER_API_APPS');
