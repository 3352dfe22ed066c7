/** One channel of a closed connection, as a resume restores it. */
export interface SessionChannel {
  channel: string;
  /** The membership's meta. */
  meta: Record<string, unknown>;
  /** Its presence meta (without the server's fields), when it was tracked. */
  presence?: Record<string, unknown>;
}

/** What a closed connection leaves for a resume: who it was and where it was. */
export interface ResumeSession {
  clientId: string;
  /** The connection had no identity (its clientId was its connectionId). */
  anonymous: boolean;
  channels: SessionChannel[];
}

/** What closed connections leave for a resume, by token, for any node to take. */
export interface SessionStore {
  /** Keeps what a closed connection leaves for a resume, for `ttl` ms. */
  save(token: string, session: ResumeSession, ttl: number): Promise<void>;
  /** Takes (reads and forgets) a saved session; undefined when there is none, or it expired. */
  take(token: string): Promise<ResumeSession | undefined>;
}
