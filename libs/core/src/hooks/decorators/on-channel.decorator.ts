import type { HookOptions } from '../hook-options.interface';
import type { ChannelEvent } from '../realtime-events';
import { checkOptions, checkPattern, checkType, HookDecorator, SetHookMetadata } from './hook-metadata.decorator';

const TYPES: readonly ChannelEvent['type'][] = ['join', 'leave', 'message'];

/**
 * Runs the method with the `ChannelEvent` each time a connection joins or leaves a channel, or a message
 * is published in one; `pattern` (`*` matches any run of characters) limits it to the channels it matches.
 */
export function OnChannel(
  type: ChannelEvent['type'],
  pattern?: string,
  options?: HookOptions<ChannelEvent>,
): HookDecorator<ChannelEvent>;
export function OnChannel(type: ChannelEvent['type'], options?: HookOptions<ChannelEvent>): HookDecorator<ChannelEvent>;
export function OnChannel(
  type: ChannelEvent['type'],
  patternOrOptions?: string | HookOptions<ChannelEvent>,
  options?: HookOptions<ChannelEvent>,
): HookDecorator<ChannelEvent> {
  const [pattern, hookOptions] =
    typeof patternOrOptions === 'object' ? [undefined, patternOrOptions] : [patternOrOptions, options];
  return SetHookMetadata('OnChannel', {
    kind: 'channel',
    type: checkType('OnChannel', type, TYPES),
    pattern: checkPattern('OnChannel', pattern),
    options: checkOptions('OnChannel', hookOptions),
  });
}
