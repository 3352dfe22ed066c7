import type { RealtimeConnection } from '../../services/connection/realtime-connection';
import type { InboundFrame } from './inbound-frame';
import type { UpgradeContext, UpgradeRejection } from '../../transport/upgrade/upgrade-context';

/**
 * A unit of the pipeline around each connection and each inbound frame. Every hook is optional.
 * Middleware listed in `forRoot({ middleware })` runs after the library's own, in list order.
 */
export interface RealtimeMiddleware {
  /**
   * At the upgrade, before the handshake. Call `next()` (and await it) to go on; throw an
   * `UpgradeRejection` (or call `context.refuse(status, message)`) to answer with an HTTP status.
   */
  upgrade?(context: UpgradeContext, next: () => Promise<void>): void | Promise<void>;
  /** After an upgrade was refused, by a middleware or by the server (shutting down, checks too slow). */
  refused?(context: UpgradeContext, rejection: UpgradeRejection): void;
  /** Once the connection is open and welcomed, with the context its upgrade went through. */
  opened?(connection: RealtimeConnection, context: UpgradeContext): void;
  /**
   * For each inbound frame, in the order they arrive. Call `next()` to go on, or `context.refuse(...)`
   * and return to answer the frame with an error and drop it. Stay synchronous when you can: a frame
   * whose middleware returns no promise costs no promise.
   */
  frame?(context: InboundFrame, next: () => unknown): unknown;
  /** When the connection's socket has closed, with the code it was closed with. */
  closed?(connection: RealtimeConnection, code: number): void;
}

/** A middleware of the library's own, which its options may turn off. */
export interface BuiltInMiddleware extends RealtimeMiddleware {
  readonly enabled: boolean;
}
