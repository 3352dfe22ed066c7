import type { HookOptions } from '../hook-options.interface';
import type { PresenceEvent } from '../realtime-events';
import { checkOptions, checkPattern, checkType, HookDecorator, SetHookMetadata } from './hook-metadata.decorator';

const TYPES: readonly PresenceEvent['type'][] = ['join', 'leave', 'update'];

/**
 * Runs the method with the `PresenceEvent` each time a member joins, leaves or updates its meta in a
 * presence channel; `pattern` (`*` matches any run of characters) limits it to the channels it matches.
 */
export function OnPresence(
  type: PresenceEvent['type'],
  pattern?: string,
  options?: HookOptions<PresenceEvent>,
): HookDecorator<PresenceEvent>;
export function OnPresence(type: PresenceEvent['type'], options?: HookOptions<PresenceEvent>): HookDecorator<PresenceEvent>;
export function OnPresence(
  type: PresenceEvent['type'],
  patternOrOptions?: string | HookOptions<PresenceEvent>,
  options?: HookOptions<PresenceEvent>,
): HookDecorator<PresenceEvent> {
  const [pattern, hookOptions] =
    typeof patternOrOptions === 'object' ? [undefined, patternOrOptions] : [patternOrOptions, options];
  return SetHookMetadata('OnPresence', {
    kind: 'presence',
    type: checkType('OnPresence', type, TYPES),
    pattern: checkPattern('OnPresence', pattern),
    options: checkOptions('OnPresence', hookOptions),
  });
}
