import { PresenceService } from '@nest-realtime/core';
import { userFromQuery } from './support/auth';
import { racePresence } from './support/presence-race';
import { RealtimeTestApp } from './support/realtime-app';

/** The memory engine, one node: the same race as across nodes, the same promise to each member. */
describe('Presence order on one node', () => {
  let rt: RealtimeTestApp;

  afterEach(() => rt.close());

  for (const batchMs of [0, 15]) {
    it(`keeps every member's presence a state plus diffs that apply (diff window ${batchMs} ms)`, async () => {
      rt = await RealtimeTestApp.start({ authenticate: userFromQuery, channels: [{ pattern: 'room:*', presence: true }], presence: { batchMs } });
      const presence = rt.get(PresenceService);
      for (let round = 0; round < 3; round++) {
        const channel = `room:race-${round}`;
        await racePresence({ channel, nodes: 1, usersPerNode: 6, connect: (_node, user) => rt.connect({ user }), engineState: () => presence.list(channel) });
      }
    });
  }
});
