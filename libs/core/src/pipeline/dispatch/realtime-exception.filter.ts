import { ArgumentsHost, Catch, Logger, WsExceptionFilter } from '@nestjs/common';
import { RealtimeConnection } from '../../services/connection/realtime-connection';
import { toErrorBody } from './error-body.mapper';
import { FrameContext } from './frame-context';

/**
 * Sends what an application handler throws to the client: a failed `reply` when the frame carried a
 * ref, an `error` frame otherwise. The library binds it to every gateway; a gateway's own
 * `@UseFilters` still take precedence.
 */
@Catch()
export class RealtimeExceptionFilter implements WsExceptionFilter {
  private static readonly logger = new Logger('RealtimeExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'ws') throw exception;
    const { body, unexpected } = toErrorBody(exception);
    if (unexpected) {
      RealtimeExceptionFilter.logger.error(
        `Unhandled error in a handler: ${exception instanceof Error ? exception.message : String(exception)}`,
        exception instanceof Error ? exception.stack : undefined,
      );
    }
    const context = host.getArgs().find(FrameContext.is);
    if (context) return context.fail(body);
    const ws = host.switchToWs();
    RealtimeConnection.of(ws.getClient())?.fail(body, undefined, ws.getPattern());
  }
}
