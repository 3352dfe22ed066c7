import type { HookOverflow, HooksOptions } from './hooks-options.interface';
import { moduleOptionChecks as check } from './option.checks';

export interface ResolvedHooksOptions {
  queueSize: number;
  overflow: HookOverflow;
  /** 0: no limit. */
  timeout: number;
}

const OVERFLOWS: readonly HookOverflow[] = ['drop-oldest', 'drop-newest'];

export function resolveHooksOptions(value: HooksOptions | undefined): ResolvedHooksOptions {
  const raw = check.section('hooks', value);
  return {
    queueSize: check.integer('hooks.queueSize', raw.queueSize, 10_000, 1),
    overflow: check.oneOf('hooks.overflow', raw.overflow, OVERFLOWS, 'drop-oldest'),
    timeout: check.integer('hooks.timeout', raw.timeout, 10_000, 0),
  };
}
