import type { LocalConnection } from '../../engine/realtime-engine.interface';
import { MemberGate } from '../channel/member.gate';
import { isPresenceFrame, presenceFrameFor, presenceStateVersion } from './presence-frames';

/**
 * Stands for a new member of a presence channel until its `presence:state` has gone out. The channel's
 * frames wait here until both the join's reply has been sent (`release`) and the state is ready
 * (`deliverState`, at the diff flush that follows the join); then the state goes first and the held
 * frames after it, in order. So a member never gets a diff it would have to apply to no state, and a
 * diff that raced the state (another node's) loses, then or later, the changes the state holds: with an
 * engine that keeps presence versions, those at or below the state's version (see `presenceFrameFor`).
 * Without versions, only the diff of the joiner's own batch is dropped (the state holds it): the first
 * frame of the same bytes, whenever it comes (a cluster engine brings it back through its bus).
 *
 * Holding lasts one batch window plus the state's read. Filtering by version lasts as long as the
 * membership (another node's diff may come late); a later `presence:state` (after an engine outage)
 * sets the version it filters by. Presence frames go out in the member's form (`compact`). One lives per
 * membership: three fields beyond `MemberGate`'s.
 */
export class PresenceStateGate extends MemberGate<Buffer> {
  private alreadyInState: Buffer | undefined = undefined;
  /** The presence version of the state sent: older changes are not sent after it. */
  private version: number | undefined = undefined;

  constructor(
    connection: LocalConnection,
    private readonly compact = false,
  ) {
    super(connection);
  }

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
    this.connection.send(this.compact ? presenceFrameFor(state, undefined, true)! : state);
  }

  protected pass(frame: Buffer): boolean {
    if (!isPresenceFrame(frame)) return this.connection.send(frame);
    if (this.isAlreadyInState(frame)) return true;
    const stateVersion = presenceStateVersion(frame);
    if (stateVersion !== undefined) this.version = stateVersion ?? undefined;
    const out = presenceFrameFor(frame, stateVersion === undefined ? this.version : undefined, this.compact);
    return out === null || this.connection.send(out);
  }

  /** Whether the frame is the diff the state holds (it is then forgotten: it comes once). */
  private isAlreadyInState(frame: Buffer): boolean {
    const diff = this.alreadyInState;
    if (diff === undefined || (frame !== diff && (frame.length !== diff.length || !frame.equals(diff)))) return false;
    this.alreadyInState = undefined;
    return true;
  }
}
