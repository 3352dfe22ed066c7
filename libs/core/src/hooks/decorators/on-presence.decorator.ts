import type { HookOptions } from '../hook-options.interface';
import type { PresenceEvent } from '../realtime-events';
import { checkOptions, checkPattern, checkType, HookDecorator, SetHookMetadata } from './hook-metadata.decorator';

/** `'state'` is another name for `'status'`: a member's presence status changed. */
export type PresenceHookType = PresenceEvent['type'] | 'state';

const TYPES: readonly PresenceHookType[] = ['join', 'leave', 'update', 'status', 'state'];

/**
 * Runs the method with the `PresenceEvent` each time a member joins, leaves, updates its meta or changes
 * its status (`'status'`, or `'state'`: `from`, `to` and `reason` say how) in a presence channel;
 * `pattern` (`*` matches any run of characters) limits it to the channels it matches.
 */
export function OnPresence(
  type: PresenceHookType,
  pattern?: string,
  options?: HookOptions<PresenceEvent>,
): HookDecorator<PresenceEvent>;
export function OnPresence(type: PresenceHookType, options?: HookOptions<PresenceEvent>): HookDecorator<PresenceEvent>;
export function OnPresence(
  type: PresenceHookType,
  patternOrOptions?: string | HookOptions<PresenceEvent>,
  options?: HookOptions<PresenceEvent>,
): HookDecorator<PresenceEvent> {
  const [pattern, hookOptions] =
    typeof patternOrOptions === 'object' ? [undefined, patternOrOptions] : [patternOrOptions, options];
  const checked = checkType('OnPresence', type, TYPES);
  return SetHookMetadata('OnPresence', {
    kind: 'presence',
    type: checked === 'state' ? 'status' : checked,
    pattern: checkPattern('OnPresence', pattern),
    options: checkOptions('OnPresence', hookOptions),
  });
}
