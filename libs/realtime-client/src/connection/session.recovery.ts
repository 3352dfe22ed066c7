import type { Welcome } from '../protocol/protocol.types';

export interface RecoveryContext {
  welcome: Welcome;
  /** The welcome of the connection before this one, if any (its `resume` grant, when the server gives one). */
  previous?: Welcome;
  /** Writes a request on the new connection ahead of everything else. */
  requestNow<R>(event: string, data: unknown): Promise<R>;
}

/**
 * Runs first on every new connection, before the channels are joined again and the queue is flushed;
 * true means the server restored the session itself, so there is nothing to rejoin. The seam for resume:
 * a `connection:resume` `{token, channels}` request made here when `previous.resume` holds a token.
 * Without resume the client always rejoins.
 */
export class SessionRecovery {
  recover(_context: RecoveryContext): boolean | Promise<boolean> {
    return false;
  }
}
