import type { Frame, TestClient } from './test-client';

function isPresenceOf(channel: string) {
  return (frame: Frame) => (frame.event === 'presence:state' || frame.event === 'presence:diff') && frame.data?.channel === channel;
}

/**
 * What a client following the protocol holds of a channel's presence, built from the frames a raw
 * TestClient received: each `presence:state` replaces it, each `presence:diff` is applied keyed by
 * connectionId (joins, updates, then leaves).
 */
export class PresenceCopy {
  /** clientId → connectionId → meta */
  private readonly members = new Map<string, Map<string, Record<string, unknown>>>();
  private applied = 0;

  constructor(
    private readonly client: TestClient,
    private readonly channel: string,
  ) {}

  /** The clientIds present, sorted. */
  clients(): string[] {
    this.catchUp();
    return [...this.members.keys()].sort();
  }

  /** Resolves with the clientIds once the copy holds exactly these (after any number of frames). */
  async becomes(expected: string[]): Promise<string[]> {
    const wanted = JSON.stringify([...expected].sort());
    for (;;) {
      const now = this.clients();
      if (JSON.stringify(now) === wanted) return now;
      await this.client.next(isPresenceOf(this.channel), this.applied, `the presence of "${this.channel}" to become ${wanted} (it is ${JSON.stringify(now)})`);
    }
  }

  private catchUp(): void {
    const frames = this.client.frames;
    for (; this.applied < frames.length; this.applied++) {
      const frame = frames[this.applied];
      if (!isPresenceOf(this.channel)(frame)) continue;
      if (frame.event === 'presence:state') {
        this.members.clear();
        this.add(frame.data.presences);
      } else {
        this.add(frame.data.joins);
        this.add(frame.data.updates);
        for (const [clientId, entry] of Object.entries<any>(frame.data.leaves)) {
          const metas = this.members.get(clientId);
          for (const meta of entry.metas) metas?.delete(meta.connectionId);
          if (metas?.size === 0) this.members.delete(clientId);
        }
      }
    }
  }

  private add(state: Record<string, { metas: Array<Record<string, unknown>> }>): void {
    for (const [clientId, entry] of Object.entries(state)) {
      let metas = this.members.get(clientId);
      if (!metas) this.members.set(clientId, (metas = new Map()));
      for (const meta of entry.metas) metas.set(meta.connectionId as string, meta);
    }
  }
}
