/** Test-only: what the option specs share. Internal: excluded from the build and from `@nest-realtime/core/testing`. */
import type { RealtimeModuleOptions } from '../../options/realtime-options.interface';
import { resolveRealtimeOptions } from '../../options/realtime-options.resolver';

/** The message bad module options fail with, or undefined when they resolve. */
export function optionsFailure(raw: unknown): string | undefined {
  try {
    resolveRealtimeOptions(raw as RealtimeModuleOptions);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}
