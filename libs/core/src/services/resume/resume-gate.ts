import type { LocalConnection, StreamPosition } from '../../engine/realtime-engine.interface';
import { MESSAGE_PREFIX } from '../../engine/history-frame';

const MESSAGE_START = Buffer.from(MESSAGE_PREFIX);

/**
 * Stands for a connection in one channel while a resume replays that channel's history: the channel's
 * live frames wait here, then go out after the replay, less the messages the replay already carried.
 * Holds at most `maxBytes`; past it the resume is given up (`overflowed`).
 */
export class ResumeGate implements LocalConnection {
  private held: Buffer[] | undefined = [];
  private heldBytes = 0;
  overflowed = false;

  constructor(
    /** The connection, or a gate in front of it (a `StateSnapshotGate`, for the state's catch-up). */
    private readonly connection: LocalConnection,
    private readonly maxBytes: number,
  ) {}

  get id(): string {
    return this.connection.id;
  }

  get clientId(): string {
    return this.connection.clientId;
  }

  send(frame: Buffer): boolean {
    if (!this.held) return this.connection.send(frame);
    if (this.overflowed) return false;
    this.heldBytes += frame.length;
    if (this.heldBytes > this.maxBytes) {
      this.overflowed = true;
      this.held = [];
      return false;
    }
    this.held.push(frame);
    return true;
  }

  /** Lets the held frames out, in order, skipping messages at or before `replayed` (same epoch); then passes frames straight on. */
  open(replayed?: StreamPosition): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const frame of held) {
      if (!replayed || !isReplayed(frame, replayed)) this.connection.send(frame);
    }
  }

  /** Drops what it held (the resume failed; the membership is being undone). */
  discard(): void {
    this.held = [];
  }
}

function isReplayed(frame: Buffer, replayed: StreamPosition): boolean {
  if (frame.compare(MESSAGE_START, 0, MESSAGE_START.length, 0, MESSAGE_START.length) !== 0) return false;
  const data = (JSON.parse(frame.toString('utf8')) as { data?: { offset?: unknown; epoch?: unknown } }).data;
  return data?.epoch === replayed.epoch && typeof data.offset === 'number' && data.offset <= replayed.offset;
}
