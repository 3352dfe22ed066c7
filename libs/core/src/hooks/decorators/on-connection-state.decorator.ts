import type { ConnectionStateMatch, HookOptions } from '../hook-options.interface';
import type { ConnectionStateChange } from '../realtime-events';
import { DECORATOR_MISUSE } from '../../realtime.messages';
import { checkOptions, HookDecorator, SetHookMetadata } from './hook-metadata.decorator';

function checkMatch(state: unknown): ConnectionStateMatch {
  const isName = (value: unknown) => typeof value === 'string' && value.length > 0;
  if (isName(state)) return { to: state as string };
  if (typeof state === 'object' && state !== null) {
    const { from, to } = state as ConnectionStateMatch;
    if ((from === undefined || isName(from)) && (to === undefined || isName(to))) return { from, to };
  }
  throw new TypeError(DECORATOR_MISUSE('OnConnectionState', 'the state', 'a state name or { from?, to? } with state names', state));
}

/**
 * Runs the method with the `ConnectionStateChange` when a connection enters `state`, or, given
 * `{ from, to }`, on the changes between those states (a missing side matches any state; `{}` every change).
 */
export function OnConnectionState(
  state: string | ConnectionStateMatch,
  options?: HookOptions<ConnectionStateChange>,
): HookDecorator<ConnectionStateChange> {
  return SetHookMetadata('OnConnectionState', {
    kind: 'connection-state',
    match: checkMatch(state),
    options: checkOptions('OnConnectionState', options),
  });
}
