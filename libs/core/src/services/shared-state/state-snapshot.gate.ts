import type { LocalConnection } from '../../engine/realtime-engine.interface';
import { MemberGate } from '../channel/member.gate';
import { STATE_DIFF_PREFIX } from '../../engine/state-frame';

const DIFF_START = Buffer.from(STATE_DIFF_PREFIX);

/** What a member's state starts from: the frames to send first, and the revision each scope stands at after them. */
export interface StateStart {
  frames: Buffer[];
  /** scope (the channel's own name for its own state) → revision. */
  revisions: Map<string, number>;
}

/**
 * Stands for a new member of a channel with a shared state until its `state:snapshot` frames (or, for a
 * resume, its catch-up) have gone out. The channel's frames wait here until both the join's reply has gone
 * (`release`) and the start is ready (`deliver`); then the start goes first, the held frames after it.
 * A `state:diff` the start holds already (revision at or below the start's, for its scope) is dropped,
 * then or later (a cluster engine may bring it after): so no change is missed and none comes twice.
 *
 * Composes with `PresenceStateGate`: put in front of it, so the snapshots follow the `presence:state`.
 */
export class StateSnapshotGate extends MemberGate<StateStart> {
  /** Scopes whose diffs may still be stale: dropped from the map at their first fresh diff. */
  private stale = new Map<string, number>();

  constructor(
    private readonly channel: string,
    connection: LocalConnection,
  ) {
    super(connection);
  }

  /** The start to send first; null when there is none (the join was not new, or failed): the held frames go on. */
  deliver(start: StateStart | null): void {
    this.deliverStart(start);
  }

  protected begin(start: StateStart): void {
    this.stale = new Map(start.revisions);
    for (const frame of start.frames) this.connection.send(frame);
  }

  protected pass(frame: Buffer): boolean {
    return this.isStale(frame) || this.connection.send(frame);
  }

  /** Whether the frame is a diff the start holds already. */
  private isStale(frame: Buffer): boolean {
    if (this.stale.size === 0 || frame.compare(DIFF_START, 0, DIFF_START.length, 0, DIFF_START.length) !== 0) return false;
    const data = (JSON.parse(frame.toString('utf8')) as { data?: { scope?: unknown; revision?: unknown } }).data;
    const scope = typeof data?.scope === 'string' ? data.scope : this.channel;
    const covered = this.stale.get(scope);
    if (covered === undefined || typeof data?.revision !== 'number') return false;
    if (data.revision <= covered) return true;
    // Diffs come in revision order: the later ones are all fresh.
    this.stale.delete(scope);
    return false;
  }
}
