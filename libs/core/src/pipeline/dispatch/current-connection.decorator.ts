import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { RealtimeConnection } from '../../services/connection/realtime-connection';

/**
 * The caller's `RealtimeConnection` (`id`, `clientId`, `claims`) as a parameter of a gateway's
 * `@SubscribeMessage` handler:
 *
 * ```ts
 * @SubscribeMessage('rooms:whoami')
 * whoami(@CurrentConnection() connection: RealtimeConnection) {
 *   return { clientId: connection.clientId };
 * }
 * ```
 *
 * Guards, interceptors, pipes and filters run around the handler as for any other parameter.
 */
export const CurrentConnection = createParamDecorator((_data: unknown, context: ExecutionContext): RealtimeConnection => {
  const connection = context.getType() === 'ws' ? RealtimeConnection.of(context.switchToWs().getClient()) : undefined;
  if (!connection) {
    throw new Error(
      '@CurrentConnection() works in the @SubscribeMessage handlers of gateways served by RealtimeAdapter; ' +
        'this handler got no realtime connection. Install the adapter in main.ts: app.useWebSocketAdapter(new RealtimeAdapter(app)).',
    );
  }
  return connection;
});
