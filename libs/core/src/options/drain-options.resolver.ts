import type { DrainOptions } from './drain-options.interface';
import { moduleOptionChecks as check, OptionChecks, optionFailure } from './option.checks';

export interface ResolvedDrainOptions {
  window: number;
  onShutdown: boolean | 'signal';
}

export function resolveDrainOptions(value: DrainOptions | undefined): ResolvedDrainOptions {
  const raw = check.section('drain', value);
  const { onShutdown = false } = raw;
  if (onShutdown !== true && onShutdown !== false && onShutdown !== 'signal') throw check.fail('drain.onShutdown', `true, false or 'signal'`, onShutdown);
  return { window: check.integer('drain.window', raw.window, 10_000, 0), onShutdown };
}

/** The checks of `ConnectionService.drain`'s own options. */
export const drainCallChecks = new OptionChecks(optionFailure('ConnectionService.drain'));
