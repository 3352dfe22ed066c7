import { io, Socket } from 'socket.io-client';
import { BenchClient, ClientKind, MemberSet, PresenceCopy } from './bench-client';

interface Member {
  id: string;
}

/** A `socket.io-client` socket, WebSocket transport only, of the Socket.IO server's rooms. */
class SocketIoClient implements BenchClient {
  received = { frames: 0, bytes: 0 };
  private readonly presence = new Map<string, MemberSet>();

  constructor(
    readonly id: string,
    private readonly socket: Socket,
  ) {
    // Engine.IO message packets are the WebSocket messages: their type character plus their data.
    socket.io.engine.on('packet', (packet: { type: string; data?: unknown }) => {
      if (packet.type !== 'message') return;
      this.received.frames++;
      this.received.bytes += 1 + (typeof packet.data === 'string' ? Buffer.byteLength(packet.data) : 0);
    });
    socket.on('presence:join', ({ room, member }: { room: string; member: Member }) => {
      const copy = this.presence.get(room);
      copy?.members.add(member.id);
      copy?.changed();
    });
    socket.on('presence:leave', ({ room, id: left }: { room: string; id: string }) => {
      const copy = this.presence.get(room);
      copy?.members.delete(left);
      copy?.changed();
    });
  }

  join(room: string, meta: Record<string, unknown> = {}): Promise<void> {
    return new Promise((resolve) => this.socket.emit('join', room, meta, () => resolve()));
  }

  publish(room: string, payload: string): void {
    this.socket.emit('publish', room, payload);
  }

  onMessage(listener: (raw: Buffer | string) => void): void {
    this.socket.off('message');
    this.socket.on('message', (message: { payload: string }) => listener(message.payload));
  }

  joinPresence(room: string, meta: Record<string, unknown>): PresenceCopy {
    const copy = new MemberSet();
    this.presence.set(room, copy);
    this.socket.emit('join', room, meta, ({ members }: { members: Member[] }) => {
      copy.members.clear();
      for (const member of members) copy.members.add(member.id);
      copy.changed();
    });
    return copy;
  }

  close(): void {
    this.socket.disconnect();
    this.socket.io.engine?.close();
  }
}

export const socketIoClients: ClientKind = {
  connect(baseUrl, id) {
    return new Promise((resolve, reject) => {
      const socket = io(baseUrl, { transports: ['websocket'], forceNew: true, reconnection: false, query: { id } });
      socket.once('connect_error', reject);
      socket.once('connect', () => {
        socket.off('connect_error', reject);
        resolve(new SocketIoClient(id, socket));
      });
    });
  },
};
