/**
 * What the audit trail records:
 * - `upgrade.refused`: an upgrade answered with an HTTP status (`status`, `reason`, `ip`);
 * - `connection.state`: a connection's state changed (`from`, `to`, `reason`);
 * - `connection.kick`: the server closed a connection for a reason of its own: the application, a
 *   rate limit, expired credentials, a slow consumer, idleness (`code`, `reason`);
 * - `credentials.renewed`: `connection:reauth` extended a connection's credentials (`expiresAt`);
 * - `channel.authorization`: a join of a private channel was decided (`channel`, `outcome`, `reason`);
 * - `channel.kick`: the server removed a client from a channel (`channel`, `reason`);
 * - `channel.expired`: a temporary channel was empty for its time to live and is gone (`channel`).
 */
export type AuditEventType =
  | 'upgrade.refused'
  | 'connection.state'
  | 'connection.kick'
  | 'credentials.renewed'
  | 'channel.authorization'
  | 'channel.kick'
  | 'channel.expired';

/** One entry of the audit trail: who, what, when. */
export interface AuditEvent {
  type: AuditEventType;
  /** Who: the connection concerned, null when there is none (a refused upgrade, a channel's expiry). */
  connectionId: string | null;
  /** Who: its clientId, null when not known. */
  clientId: string | null;
  /** The client's IP address, when known. */
  ip?: string;
  channel?: string;
  from?: string | null;
  to?: string;
  outcome?: 'allowed' | 'refused';
  /** The close code of a `connection.kick`. */
  code?: number;
  /** The HTTP status of an `upgrade.refused`. */
  status?: number;
  expiresAt?: number;
  reason?: string;
  /** When, in epoch milliseconds. */
  at: number;
}
