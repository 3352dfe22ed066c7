/** Injection token of the resolved admin options (`ResolvedAdminOptions`). */
export const REALTIME_ADMIN_OPTIONS = Symbol('REALTIME_ADMIN_OPTIONS');
/** Injection token of the options as given (`RealtimeAdminOptions`). */
export const RAW_ADMIN_OPTIONS = Symbol('RAW_ADMIN_OPTIONS');
