import type { LocalConnection } from '../../engine/realtime-engine.interface';

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
 * Holding lasts one batch window plus the state's read: the frames of that window, no more.
 */
export class PresenceStateGate implements LocalConnection {
  // Every field set here, in one order: one hidden class for all gates (one lives per membership).
  private held: Buffer[] | undefined = [];
  private state: Buffer | null | undefined = undefined;
  private alreadyInState: Buffer | undefined = undefined;
  private released = false;

  constructor(private readonly connection: LocalConnection) {}

  get id(): string {
    return this.connection.id;
  }

  get clientId(): string {
    return this.connection.clientId;
  }

  /** Whether frames still wait here. */
  get holding(): boolean {
    return this.held !== undefined;
  }

  send(frame: Buffer): boolean {
    if (!this.held) return this.isAlreadyInState(frame) || this.connection.send(frame);
    this.held.push(frame);
    return true;
  }

  /**
   * The state to send first (null: it could not be read; the held frames go on without it), and the
   * diff frame it already holds, which is not sent.
   */
  deliverState(state: Buffer | null, alreadyInState?: Buffer): void {
    if (!this.held || this.state !== undefined) return;
    this.state = state;
    this.alreadyInState = alreadyInState;
    if (this.released) this.open();
  }

  /** The join's reply has gone out: the state and what was held may follow. */
  release(): void {
    this.released = true;
    if (this.state !== undefined) this.open();
  }

  private open(): void {
    const held = this.held ?? [];
    const { state } = this;
    this.held = this.state = undefined;
    if (state) this.connection.send(state);
    for (const frame of held) if (!this.isAlreadyInState(frame)) this.connection.send(frame);
  }

  /** Whether the frame is the diff the state holds (it is then forgotten: it comes once). */
  private isAlreadyInState(frame: Buffer): boolean {
    const diff = this.alreadyInState;
    if (diff === undefined || (frame !== diff && (frame.length !== diff.length || !frame.equals(diff)))) return false;
    this.alreadyInState = undefined;
    return true;
  }
}
