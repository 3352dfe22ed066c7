import type { ResumeSession, SessionStore } from '../stores';

export class MemorySessions implements SessionStore {
  /** Saved sessions, oldest first (they all live as long as the resume window, so oldest first is soonest to expire). */
  private readonly sessions = new Map<string, { session: ResumeSession; expiresAt: number }>();

  async save(token: string, session: ResumeSession, ttl: number): Promise<void> {
    this.sweep(Date.now());
    this.sessions.set(token, { session, expiresAt: Date.now() + ttl });
  }

  async take(token: string): Promise<ResumeSession | undefined> {
    const saved = this.sessions.get(token);
    this.sessions.delete(token);
    return saved && saved.expiresAt > Date.now() ? saved.session : undefined;
  }

  /** Drops the sessions expired by `now`. */
  sweep(now: number): void {
    for (const [token, saved] of this.sessions) {
      if (saved.expiresAt > now) break;
      this.sessions.delete(token);
    }
  }

  clear(): void {
    this.sessions.clear();
  }
}
