import { RawData, WebSocket } from 'ws';
import { BENCH_PUSHER_APP } from '../servers/server-host';
import { BenchClient, ClientKind, PresenceCopy, sizeOf } from './bench-client';

/** `{"event":"` is 10 bytes: a `p` after it is one of the protocol's own events (`pusher:`, `pusher_internal:`). */
const LETTER_P = 0x70;

interface PusherFrame {
  event: string;
  channel?: string;
  data?: unknown;
}

/**
 * A `ws` client speaking the Pusher protocol (7) to `/app/{key}`, as pusher-js does on the wire: public
 * channels only (what fan-out needs; the kind takes no presence workload). Events arrive as
 * `{event, channel, data}`, the native publisher's messages as event `message`.
 */
class PusherBenchClient implements BenchClient {
  received = { frames: 0, bytes: 0 };
  private listener?: (raw: Buffer) => void;
  private readonly subscribing = new Map<string, () => void>();

  constructor(
    readonly id: string,
    private readonly socket: WebSocket,
  ) {
    socket.on('message', (raw: RawData) => this.receive(raw as Buffer));
    socket.on('error', () => undefined);
  }

  private receive(raw: Buffer): void {
    this.received.frames++;
    this.received.bytes += sizeOf(raw);
    if (this.listener && this.subscribing.size === 0 && raw[10] !== LETTER_P) return this.listener(raw);
    const frame = JSON.parse(raw.toString()) as PusherFrame;
    if (frame.event === 'pusher_internal:subscription_succeeded') {
      this.subscribing.get(frame.channel!)?.();
      this.subscribing.delete(frame.channel!);
    } else if (frame.event === 'pusher:ping') {
      this.socket.send('{"event":"pusher:pong","data":{}}');
    } else if (frame.event === 'pusher:error' || frame.event === 'pusher:subscription_error') {
      throw new Error(`The server answered an error: ${raw.toString()}`);
    } else if (!frame.event.startsWith('pusher')) {
      this.listener?.(raw);
    }
  }

  join(room: string): Promise<void> {
    return new Promise((resolve) => {
      this.subscribing.set(room, resolve);
      this.socket.send(JSON.stringify({ event: 'pusher:subscribe', data: { channel: room } }));
    });
  }

  publish(): void {
    throw new Error('A Pusher client publishes client events on private channels only: the realtime-pusher kind publishes natively.');
  }

  onMessage(listener: (raw: Buffer | string) => void): void {
    this.listener = listener;
  }

  joinPresence(): PresenceCopy {
    throw new Error('The Pusher bench client joins public channels only: the realtime-pusher kind takes no presence workload.');
  }

  close(): void {
    this.socket.terminate();
  }
}

export const pusherClients: ClientKind = {
  connect(baseUrl, id) {
    return new Promise((resolve, reject) => {
      // No id in the URL: the server names a Pusher connection by its socket_id.
      const socket = new WebSocket(`${baseUrl}/app/${BENCH_PUSHER_APP.key}?protocol=7&client=bench&version=1.0.0`, { perMessageDeflate: false });
      socket.once('error', reject);
      socket.once('message', (raw: RawData) => {
        socket.off('error', reject);
        const frame = JSON.parse(raw.toString()) as PusherFrame;
        if (frame.event !== 'pusher:connection_established') return reject(new Error(`Expected pusher:connection_established, got ${raw.toString()}`));
        resolve(new PusherBenchClient(id, socket));
      });
    });
  },
};
