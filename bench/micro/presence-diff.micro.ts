import { MemoryEngine, RealtimeConnection } from '@nest-realtime/core';
import type { PresenceWrite } from '@nest-realtime/core/engine';
import { PresenceDiffBatcher } from '../../libs/core/src/services/presence/presence-diff.batcher';
import { encodeFrame } from '../../libs/core/src/codec/frame.codec';
import type { PresenceDiff } from '@nest-realtime/protocol';
import type { MicroSuite } from './micro-suite';
import { nextTick, sinkWebSockets } from './sink-sockets';

const MEMBERS = 1000;
const JOINS = 100;

/**
 * 100 joins arriving in a channel of 1,000 members: the library batches them into one
 * `presence:diff`, encoded once and written to every member, against a diff per join.
 */
export const presenceDiffSuite: MicroSuite = {
  name: 'presence diff',
  per: { label: 'join', plural: 'joins', count: JOINS },
  async tasks() {
    const { sockets } = await sinkWebSockets(MEMBERS);
    const engine = new MemoryEngine();
    for (const [index, socket] of sockets.entries()) await engine.memberships.join('room:micro', new RealtimeConnection(`c${index}`, `u${index}`, {}, socket), {});
    const deliver = (diff: PresenceDiff) => void engine.broker.publish('room:micro', encodeFrame('presence:diff', diff));
    const batched = new PresenceDiffBatcher(20, deliver);
    const unbatched = new PresenceDiffBatcher(0, deliver);
    const writes: PresenceWrite[] = Array.from({ length: JOINS }, (_, index) => ({
      clientId: `joiner-${index}`,
      connectionId: `j${index}`,
      meta: { name: `joiner-${index}`, connectionId: `j${index}`, onlineAt: 1_700_000_000_000 },
      countBefore: 0,
      countAfter: 1,
    }));
    return {
      'a diff per join (presence.batchMs: 0)': async () => {
        for (const write of writes) unbatched.push('room:micro', 'join', write);
        await nextTick();
      },
      'joins batched into one diff (the library)': async () => {
        for (const write of writes) batched.push('room:micro', 'join', write);
        batched.flush('room:micro');
        await nextTick();
      },
    };
  },
};
