import { MemoryEngine, RealtimeConnection } from '@nest-realtime/core';
import { encodeFrame } from '../../libs/core/src/codec/frame.codec';
import type { MicroSuite } from './micro-suite';
import { nextTick, sinkWebSockets } from './sink-sockets';

const MEMBERS = 1000;
const BURST = 10;

/**
 * One channel of 1,000 members, a burst of 10 messages of 100 bytes: the library's path (the frame
 * encoded and framed once, each socket corked for the tick) against what a hand-written `ws` server
 * does (one JSON.stringify per message, `send` to each socket). Each run includes the tick's flush.
 */
export const broadcastSuite: MicroSuite = {
  name: 'broadcast',
  per: { label: 'delivery', plural: 'deliveries', count: MEMBERS * BURST },
  async tasks() {
    const { sockets } = await sinkWebSockets(MEMBERS);
    const engine = new MemoryEngine();
    const connections = sockets.map((socket, index) => new RealtimeConnection(`c${index}`, `u${index}`, {}, socket));
    for (const connection of connections) await engine.memberships.join('room:micro', connection, {});
    const message = (seq: number) => ({ channel: 'room:micro', from: 'u0', payload: `${seq}`.padEnd(100, 'x'), at: 1_700_000_000_000 });
    return {
      'ws.send(text) to each socket (raw ws)': async () => {
        for (let seq = 0; seq < BURST; seq++) {
          const text = JSON.stringify({ event: 'channel:message', data: message(seq) });
          for (const socket of sockets) socket.send(text);
        }
        await nextTick();
      },
      'ws.send(buffer): encoded once, framed per socket': async () => {
        for (let seq = 0; seq < BURST; seq++) {
          const frame = encodeFrame('channel:message', message(seq));
          for (const socket of sockets) socket.send(frame, { binary: false });
        }
        await nextTick();
      },
      'engine.broker.publish → RealtimeConnection.send (the library)': async () => {
        for (let seq = 0; seq < BURST; seq++) await engine.broker.publish('room:micro', encodeFrame('channel:message', message(seq)));
        await nextTick();
      },
    };
  },
};
