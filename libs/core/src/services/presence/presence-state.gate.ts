import { MemberGate } from '../channel/member.gate';
import { presenceFrameAfter, presenceStateVersion } from './presence-diff.versions';

/**
 * Stands for a new member of a presence channel until its `presence:state` has gone out. The channel's
 * frames wait here until both the join's reply has been sent (`release`) and the state is ready
 * (`deliverState`, at the diff flush that follows the join); then the state goes first and the held
 * frames after it, in order. So a member never gets a diff it would have to apply to no state, and a
 * diff that raced the state (another node's) loses, then or later, the changes the state holds: with an
 * engine that keeps presence versions, those at or below the state's version (see `presenceFrameAfter`).
 * Without versions, only the diff of the joiner's own batch is dropped (the state holds it): the first
 * frame of the same bytes, whenever it comes (a cluster engine brings it back through its bus).
 *
 * Holding lasts one batch window plus the state's read. Filtering by version lasts as long as the
 * membership (another node's diff may come late); a later `presence:state` (after an engine outage)
 * sets the version it filters by, or stops it. One lives per membership: two fields beyond `MemberGate`'s.
 */
export class PresenceStateGate extends MemberGate<Buffer> {
  private alreadyInState: Buffer | undefined = undefined;
  /** The presence version of the state sent: older changes are not sent after it. */
  private version: number | undefined = undefined;

  /**
   * The state to send first (null: it could not be read; the held frames go on without it), the diff
   * frame it already holds, which is not sent, and the presence version it was read at, if any.
   */
  deliverState(state: Buffer | null, alreadyInState?: Buffer, version?: number): void {
    if (!this.awaitingStart) return;
    if (version === undefined) this.alreadyInState = alreadyInState;
    else if (state) this.version = version;
    this.deliverStart(state);
  }

  protected begin(state: Buffer): void {
    this.connection.send(state);
  }

  protected pass(frame: Buffer): boolean {
    if (this.version === undefined) return this.isAlreadyInState(frame) || this.connection.send(frame);
    const stateVersion = presenceStateVersion(frame);
    if (stateVersion !== undefined) {
      this.version = stateVersion ?? undefined;
      return this.connection.send(frame);
    }
    const after = presenceFrameAfter(frame, this.version);
    return after === null || this.connection.send(after);
  }

  /** Whether the frame is the diff the state holds (it is then forgotten: it comes once). */
  private isAlreadyInState(frame: Buffer): boolean {
    const diff = this.alreadyInState;
    if (diff === undefined || (frame !== diff && (frame.length !== diff.length || !frame.equals(diff)))) return false;
    this.alreadyInState = undefined;
    return true;
  }
}
