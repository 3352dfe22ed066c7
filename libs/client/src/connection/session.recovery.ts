import { ProtocolEvent } from '@nest-realtime/protocol';
import type { ResumeResult, ResumeStatePositions, StreamPosition, Welcome } from '@nest-realtime/protocol';

/** What a recovery may do with the client's channels. */
export interface RecoverableChannels {
  /** The channels to bring back, with the position of those that keep history; undefined when there are none. */
  resumable(): Record<string, StreamPosition | null> | undefined;
  /** Where those channels stand in their shared states, by scope; undefined when none holds one. */
  resumableState(): ResumeStatePositions | undefined;
  /** The server resumed these channels: the others are joined again (or left). */
  resumed(channels: string[]): void;
}

export interface RecoveryContext {
  welcome: Welcome;
  /** The welcome of the connection before this one, if any (its `resume` grant, when the server gives one). */
  previous?: Welcome;
  /** When the connection before this one was lost (epoch ms). */
  lostAt?: number;
  channels: RecoverableChannels;
  /** Writes a request on the new connection ahead of everything else. */
  requestNow<R>(event: string, data: unknown): Promise<R>;
}

/**
 * Runs first on every new connection, before the channels are joined again and the queue is flushed;
 * true means the server restored the session itself, so there is nothing (or only what it did not bring
 * back) to rejoin. When the lost connection's welcome granted a resume and the window is still open, it
 * asks for `connection:resume` with the token, each channel's last position and each shared-state scope's
 * revision: the server replays what was missed (messages, then state diffs or a fresh snapshot), and the
 * channels are joined as they were. Otherwise, or when the server says no, the
 * client joins its channels afresh.
 */
export class SessionRecovery {
  recover({ previous, lostAt, channels, requestNow }: RecoveryContext): boolean | Promise<boolean> {
    const grant = previous?.resume;
    if (!grant || lostAt === undefined || Date.now() - lostAt >= grant.ttl) return false;
    const positions = channels.resumable();
    if (!positions) return false;
    const state = channels.resumableState();
    return requestNow<ResumeResult>(ProtocolEvent.Resume, { token: grant.token, channels: positions, ...(state && { state }) }).then(
      (result) => {
        if (!result?.resumed) return false;
        channels.resumed(Object.keys(result.channels ?? {}));
        return true;
      },
      () => false,
    );
  }
}
