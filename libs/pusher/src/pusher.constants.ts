/** Injection token of the resolved `RealtimePusherModule` options (`ResolvedPusherOptions`). */
export const PUSHER_OPTIONS = Symbol('PUSHER_OPTIONS');
/** Injection token of the options as given to `forRoot` / returned by `forRootAsync`'s factory. */
export const PUSHER_MODULE_OPTIONS = Symbol('PUSHER_MODULE_OPTIONS');
