/** The reflect-metadata key under which a decorated method keeps its hook bindings (an array, one per decorator). */
export const REALTIME_HOOKS_METADATA = 'realtime:hooks';
