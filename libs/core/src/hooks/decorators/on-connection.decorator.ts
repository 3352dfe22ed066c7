import type { HookOptions } from '../hook-options.interface';
import type { ConnectionEvent } from '../realtime-events';
import { checkOptions, checkType, HookDecorator, SetHookMetadata } from './hook-metadata.decorator';

const TYPES: readonly ConnectionEvent['type'][] = ['open', 'close'];

/** Runs the method with the `ConnectionEvent` each time a connection of this node opens or closes. */
export function OnConnection(
  type: ConnectionEvent['type'],
  options?: HookOptions<ConnectionEvent>,
): HookDecorator<ConnectionEvent> {
  return SetHookMetadata('OnConnection', {
    kind: 'connection',
    type: checkType('OnConnection', type, TYPES),
    options: checkOptions('OnConnection', options),
  });
}
