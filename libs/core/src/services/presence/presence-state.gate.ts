import { MemberGate } from '../channel/member.gate';

/**
 * Stands for a new member of a presence channel until its `presence:state` has gone out. The channel's
 * frames wait here until both the join's reply has been sent (`release`) and the state is ready
 * (`deliverState`, at the diff flush that follows the join); then the state goes first and the held
 * frames after it, in order. So a member never gets a diff it would have to apply to no state, and a
 * diff that raced the state (another node's) is applied after it, where it changes nothing or what is
 * newer. The diff of the joiner's own batch is dropped: the state holds it already. A cluster engine
 * brings that diff back through its bus, maybe after the state: the first frame of the same bytes is
 * dropped then, whenever it comes.
 *
 * Holding lasts one batch window plus the state's read: the frames of that window, no more. One lives
 * per membership: it keeps one field beyond `MemberGate`'s.
 */
export class PresenceStateGate extends MemberGate<Buffer> {
  private alreadyInState: Buffer | undefined = undefined;

  /**
   * The state to send first (null: it could not be read; the held frames go on without it), and the
   * diff frame it already holds, which is not sent.
   */
  deliverState(state: Buffer | null, alreadyInState?: Buffer): void {
    if (!this.awaitingStart) return;
    this.alreadyInState = alreadyInState;
    this.deliverStart(state);
  }

  protected begin(state: Buffer): void {
    this.connection.send(state);
  }

  protected pass(frame: Buffer): boolean {
    return this.isAlreadyInState(frame) || this.connection.send(frame);
  }

  /** Whether the frame is the diff the state holds (it is then forgotten: it comes once). */
  private isAlreadyInState(frame: Buffer): boolean {
    const diff = this.alreadyInState;
    if (diff === undefined || (frame !== diff && (frame.length !== diff.length || !frame.equals(diff)))) return false;
    this.alreadyInState = undefined;
    return true;
  }
}
