/** The reflect-metadata key under which a decorated method keeps its hook bindings (an array, one per decorator). */
export const REALTIME_HOOKS_METADATA = 'realtime:hooks';

/** A full hook queue warns at most this often (ms), per queue; every drop is counted. */
export const HOOK_QUEUE_WARNING_INTERVAL = 60_000;
