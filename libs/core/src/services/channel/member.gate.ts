import type { LocalConnection } from '../../engine/realtime-engine.interface';

/**
 * Stands for a new member of a channel until what it must get first (its start: a presence state, state
 * snapshots) has gone out. The channel's frames wait here until both the join's reply has been sent
 * (`release`) and the start is ready (`deliverStart`); then the start goes first (`begin`) and the held
 * frames after it. Every frame, held or later, goes through `pass`, which drops what the start holds.
 */
export abstract class MemberGate<S> implements LocalConnection {
  private held: Buffer[] | undefined = [];
  private start: S | null | undefined = undefined;
  private released = false;

  constructor(protected readonly connection: LocalConnection) {}

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
    if (!this.held) return this.pass(frame);
    this.held.push(frame);
    return true;
  }

  /** The join's reply has gone out: the start and what was held may follow. */
  release(): void {
    this.released = true;
    if (this.start !== undefined) this.open();
  }

  /** Whether the start is still to come (the first `deliverStart` is the one that counts). */
  protected get awaitingStart(): boolean {
    return this.held !== undefined && this.start === undefined;
  }

  /** The start to send first; null when there is none (it could not be had, or the join was not new). */
  protected deliverStart(start: S | null): void {
    if (!this.awaitingStart) return;
    this.start = start;
    if (this.released) this.open();
  }

  /** Sends the start, and sets what `pass` drops. */
  protected abstract begin(start: S): void;

  /** Writes a frame to the connection unless the start holds it already. */
  protected abstract pass(frame: Buffer): boolean;

  private open(): void {
    const held = this.held ?? [];
    const { start } = this;
    this.held = this.start = undefined;
    if (start) this.begin(start);
    for (const frame of held) this.pass(frame);
  }
}
