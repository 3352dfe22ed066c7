/** Injection token of the resolved module options. */
export const REALTIME_OPTIONS = Symbol('REALTIME_OPTIONS');
/** Injection token of the engine the services share. */
export const REALTIME_ENGINE = Symbol('REALTIME_ENGINE');
