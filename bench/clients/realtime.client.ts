import { decode, encode } from '@msgpack/msgpack';
import { RawData, WebSocket } from 'ws';
import { BenchClient, ClientKind, PresenceCopy, sizeOf } from './bench-client';

const LETTER_E = 0x65;

type Encoding = 'json' | 'msgpack';

/**
 * Where a frame's event name starts: after `{"event":"` in JSON; in MessagePack after the map's header,
 * the 6 bytes of the key `event` and the name's own header (the server writes `event` first).
 */
const EVENT_AT: Record<Encoding, number> = { json: 10, msgpack: 8 };

/** A member as the compact presence form sends it: `[clientId, connectionId, …]` (the client joins with `presenceFormat: 'compact'`, as the SDK does). */
type Member = [clientId: string, connectionId: string, ...rest: unknown[]];
type PresenceState = Record<string, { metas: Array<{ connectionId: string }> }>;

interface Frame {
  event: string;
  ref?: string;
  data?: {
    ok?: boolean;
    result?: { channel?: string; presence?: PresenceState };
    error?: { code: string; message: string };
    channel?: string;
    presences?: Member[];
    joins?: Member[];
    leaves?: Member[];
  };
}

/**
 * A presence copy kept the way the protocol says: replaced by each state, diffs applied by
 * connectionId (a join already held changes nothing). Members are the clientIds with a connection.
 * The server sends a new member nothing of the channel before its state, so no diff comes first.
 */
class PresenceByConnection implements PresenceCopy {
  private readonly owners = new Map<string, string>();
  private readonly connectionsOf = new Map<string, number>();
  private listener?: () => void;

  get size(): number {
    return this.connectionsOf.size;
  }

  ids(): Iterable<string> {
    return this.connectionsOf.keys();
  }

  onChange(listener: () => void): void {
    this.listener = listener;
  }

  replace(state: Member[]): void {
    this.owners.clear();
    this.connectionsOf.clear();
    this.join(state);
    this.listener?.();
  }

  applyDiff(joins: Member[], leaves: Member[]): void {
    this.join(joins);
    for (const [clientId, connectionId] of leaves) {
      if (this.owners.get(connectionId) !== clientId) continue;
      this.owners.delete(connectionId);
      const left = this.connectionsOf.get(clientId)! - 1;
      if (left > 0) this.connectionsOf.set(clientId, left);
      else this.connectionsOf.delete(clientId);
    }
    this.listener?.();
  }

  private join(members: Member[]): void {
    for (const [clientId, connectionId] of members) {
      if (this.owners.has(connectionId)) continue;
      this.owners.set(connectionId, clientId);
      this.connectionsOf.set(clientId, (this.connectionsOf.get(clientId) ?? 0) + 1);
    }
  }
}

/** A `ws` client speaking the module's protocol (realtime.v1.json, or realtime.v1.msgpack). */
class RealtimeBenchClient implements BenchClient {
  received = { frames: 0, bytes: 0 };
  private listener?: (raw: Buffer) => void;
  private refs = 0;
  private readonly replies = new Map<string, (frame: Frame) => void>();
  private readonly presence = new Map<string, PresenceByConnection>();

  constructor(
    readonly id: string,
    private readonly socket: WebSocket,
    private readonly encoding: Encoding,
  ) {
    socket.on('message', (raw: RawData) => this.receive(raw as Buffer));
    socket.on('error', () => undefined);
  }

  private receive(raw: Buffer): void {
    this.received.frames++;
    this.received.bytes += sizeOf(raw);
    // An event name that starts with `e` is an error frame, which must not pass for a message.
    if (this.listener && this.replies.size === 0 && this.presence.size === 0 && raw[EVENT_AT[this.encoding]] !== LETTER_E) return this.listener(raw);
    const frame = this.decode(raw);
    if (frame.event === 'reply') {
      this.replies.get(frame.ref!)?.(frame);
      this.replies.delete(frame.ref!);
      return;
    }
    const copy = frame.data?.channel === undefined ? undefined : this.presence.get(frame.data.channel);
    if (frame.event === 'presence:state' && copy) {
      copy.replace(frame.data!.presences!);
    } else if (frame.event === 'presence:diff' && copy) {
      copy.applyDiff(frame.data!.joins!, frame.data!.leaves!);
    } else if (frame.event === 'channel:message') {
      this.listener?.(raw);
    } else if (frame.event === 'error') {
      throw new Error(`The server answered an error: ${JSON.stringify(frame.data)}`);
    }
  }

  /**
   * Sends a request; `onReply` runs as soon as its reply is read, before the frames behind it in the
   * same read (a promise's callback would run after them, and apply an older state over newer diffs).
   */
  private request(event: string, data: unknown, onReply: (frame: Frame) => void): void {
    const ref = String(++this.refs);
    this.replies.set(ref, (frame) => {
      if (!frame.data?.ok) throw new Error(`${event} failed: ${JSON.stringify(frame.data?.error)}`);
      onReply(frame);
    });
    this.socket.send(this.encode({ event, data, ref }));
  }

  private encode(frame: Frame | { event: string; data: unknown; ref?: string }): string | Uint8Array {
    return this.encoding === 'json' ? JSON.stringify(frame) : encode(frame);
  }

  private decode(raw: Buffer): Frame {
    return (this.encoding === 'json' ? JSON.parse(raw.toString()) : decode(raw)) as Frame;
  }

  join(room: string, meta: Record<string, unknown> = {}): Promise<void> {
    return new Promise((resolve) => this.request('channel:join', { channel: room, meta }, () => resolve()));
  }

  publish(room: string, payload: string): void {
    this.socket.send(this.encode({ event: 'channel:publish', data: { channel: room, payload } }));
  }

  onMessage(listener: (raw: Buffer | string) => void): void {
    this.listener = listener;
  }

  /** Joins the way the client SDK does: the state comes once, as `presence:state`, not also in the reply. */
  joinPresence(room: string, meta: Record<string, unknown>): PresenceCopy {
    const copy = new PresenceByConnection();
    this.presence.set(room, copy);
    this.request('channel:join', { channel: room, meta, stateInReply: false, presenceFormat: 'compact' }, () => undefined);
    return copy;
  }

  close(): void {
    this.socket.terminate();
  }
}

/** Clients of the native protocol; with `perMessageDeflate`, they offer the extension (`ws`'s default offer). */
function realtimeClientKind(perMessageDeflate: boolean, encoding: Encoding = 'json'): ClientKind {
  return {
    connect(baseUrl, id, options = {}) {
      return new Promise((resolve, reject) => {
        const socket = new WebSocket(`${baseUrl}/realtime?id=${encodeURIComponent(id)}`, `realtime.v1.${encoding}`, {
          perMessageDeflate,
          localAddress: options.localAddress,
        });
        socket.once('error', reject);
        socket.once('message', (raw: RawData) => {
          socket.off('error', reject);
          const welcome = (encoding === 'json' ? JSON.parse(raw.toString()) : decode(raw as Buffer)) as Frame;
          if (welcome.event !== 'connection:welcome') return reject(new Error(`Expected the welcome, got ${JSON.stringify(welcome)}`));
          resolve(new RealtimeBenchClient(id, socket, encoding));
        });
      });
    },
  };
}

export const realtimeClients = realtimeClientKind(false);
export const realtimeDeflateClients = realtimeClientKind(true);
export const realtimeMsgpackClients = realtimeClientKind(false, 'msgpack');
