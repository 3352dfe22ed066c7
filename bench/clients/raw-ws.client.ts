import { RawData, WebSocket } from 'ws';
import { BenchClient, ClientKind, MemberSet, PresenceCopy, sizeOf } from './bench-client';

interface RawMessage {
  type: string;
  room?: string;
  id?: string;
  member?: { id: string };
  members?: Array<{ id: string }>;
}

/** A `ws` client of the raw-ws server's `{type, room, …}` messages. */
class RawWsClient implements BenchClient {
  received = { frames: 0, bytes: 0 };
  private listener?: (raw: Buffer) => void;
  private readonly joining = new Map<string, () => void>();
  private readonly presence = new Map<string, MemberSet>();

  constructor(
    readonly id: string,
    private readonly socket: WebSocket,
  ) {
    socket.on('message', (raw: RawData) => this.received_(raw as Buffer));
    socket.on('error', () => undefined);
  }

  private received_(raw: Buffer): void {
    this.received.frames++;
    this.received.bytes += sizeOf(raw);
    if (this.listener && this.joining.size === 0 && this.presence.size === 0) return this.listener(raw);
    const message = JSON.parse(raw.toString()) as RawMessage;
    const copy = message.room === undefined ? undefined : this.presence.get(message.room);
    if (message.type === 'joined') {
      if (copy) {
        copy.members.clear();
        for (const member of message.members ?? []) copy.members.add(member.id);
        copy.changed();
      }
      this.joining.get(message.room!)?.();
      this.joining.delete(message.room!);
    } else if (message.type === 'join' && copy) {
      copy.members.add(message.member!.id);
      copy.changed();
    } else if (message.type === 'leave' && copy) {
      copy.members.delete(message.id!);
      copy.changed();
    } else if (message.type === 'message') {
      this.listener?.(raw);
    }
  }

  join(room: string, meta: Record<string, unknown> = {}): Promise<void> {
    return new Promise((resolve) => {
      this.joining.set(room, resolve);
      this.socket.send(JSON.stringify({ type: 'join', room, meta }));
    });
  }

  publish(room: string, payload: string): void {
    this.socket.send(JSON.stringify({ type: 'publish', room, payload }));
  }

  onMessage(listener: (raw: Buffer | string) => void): void {
    this.listener = listener;
  }

  joinPresence(room: string, meta: Record<string, unknown>): PresenceCopy {
    const copy = new MemberSet();
    this.presence.set(room, copy);
    this.socket.send(JSON.stringify({ type: 'join', room, meta }));
    return copy;
  }

  close(): void {
    this.socket.terminate();
  }
}

/** Clients of the raw protocol; with `perMessageDeflate`, they offer the extension (`ws`'s default offer). */
function rawWsClientKind(perMessageDeflate: boolean): ClientKind {
  return {
    connect(baseUrl, id, options = {}) {
      return new Promise((resolve, reject) => {
        const socket = new WebSocket(`${baseUrl}/raw?id=${encodeURIComponent(id)}`, { perMessageDeflate, localAddress: options.localAddress });
        socket.once('error', reject);
        socket.once('message', () => {
          socket.off('error', reject);
          resolve(new RawWsClient(id, socket));
        });
      });
    },
  };
}

export const rawWsClients = rawWsClientKind(false);
export const rawWsDeflateClients = rawWsClientKind(true);
