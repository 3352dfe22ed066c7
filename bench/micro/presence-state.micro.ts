import { randomBytes } from 'crypto';
import type { MicroSuite } from './micro-suite';

const MEMBERS = 2000;
const ROOM = 'room:storm:2000';

/**
 * What a client pays to learn a room of 2,000 members, the floor of the presence storm (each of N
 * clients must learn N members, in one load generator): 2,000 Socket.IO join events, each only parsed
 * and added to a Set (the least a Socket.IO client does per event, without its engine and emitter),
 * against the module's one `presence:state`, parsed and copied keyed by connectionId as the bench's
 * client keeps it. Client-side work, in the client's process: the server sends the state encoded once.
 */
export const presenceStateSuite: MicroSuite = {
  name: 'presence state on a client',
  per: { label: 'member', plural: 'members', count: MEMBERS },
  async tasks() {
    const ids = Array.from({ length: MEMBERS }, (_, index) => `user-${index}`);
    const events = ids.map((id) => `42${JSON.stringify(['presence:join', { room: ROOM, member: { id, meta: { name: id } } }])}`);
    const presences = Object.fromEntries(
      ids.map((id) => [id, { metas: [{ name: id, connectionId: randomBytes(12).toString('base64url'), onlineAt: Date.now() }] }]),
    );
    const state = Buffer.from(JSON.stringify({ event: 'presence:state', data: { channel: ROOM, presences } }));
    let sink = 0;
    return {
      '2,000 join events, each parsed (Socket.IO, at the least)': () => {
        const members = new Set<string>();
        for (const event of events) members.add((JSON.parse(event.slice(2)) as [string, { member: { id: string } }])[1].member.id);
        return (sink += members.size);
      },
      'one presence:state, parsed and copied (the module)': () => {
        const received = (JSON.parse(state.toString()) as { data: { presences: typeof presences } }).data.presences;
        const owners = new Map<string, string>();
        const counts = new Map<string, number>();
        for (const clientId in received) {
          const { metas } = received[clientId];
          for (const { connectionId } of metas) owners.set(connectionId, clientId);
          counts.set(clientId, metas.length);
        }
        return (sink += owners.size + counts.size);
      },
    };
  },
};
