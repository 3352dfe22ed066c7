import type { BenchClient } from '../clients/bench-client';
import { closeClients, connectClients, quiet, withClients, Workload } from './workload';

const MiB = 1024 * 1024;
/** Connections opened and closed before the empty server is measured. */
const WARM_UP = 200;

/**
 * Idle connections, each a member of one presence room (rooms of `roomSize`, a name in the meta):
 * the server's RSS and heap after forced collections, minus the empty (warmed-up) server's, per connection.
 */
export const memoryWorkload: Workload = {
  name: 'memory',
  figures: ({ memory }) => [
    { key: 'rssPerConnection', label: `memory: RSS per idle connection (${memory.connections}, presence rooms of ${memory.roomSize})`, unit: 'KiB', better: 'lower' },
    { key: 'heapPerConnection', label: 'memory: heap per idle connection', unit: 'KiB', better: 'lower' },
  ],

  async run(context) {
    const { kind, settings, log } = context;
    const { connections, roomSize } = settings.memory;
    const joinRooms = async (clients: BenchClient[], prefix: string) => {
      const rooms = Math.ceil(clients.length / roomSize);
      let next = 0;
      const join = async () => {
        while (next < clients.length) {
          const client = clients[next];
          await client.join(`${prefix}${next++ % rooms}`, { name: client.id });
        }
      };
      await Promise.all(Array.from({ length: 100 }, join));
      await quiet(clients, 200);
    };
    // The empty server is measured warm: code compiled for the first connections is not theirs to carry.
    const warm = await connectClients(context, Math.min(WARM_UP, connections), 'warm-');
    await joinRooms(warm, 'room:warm-');
    closeClients(warm);
    // Time for the server to see the closes and release them (on its next cleanup tick).
    await new Promise((resolve) => setTimeout(resolve, 500));
    const empty = await context.server.usage(true);
    const clients: BenchClient[] = await connectClients(context, connections, 'user-');
    return withClients(context, clients, async () => {
      await joinRooms(clients, 'room:');
      const loaded = await context.server.usage(true);
      log(`empty: RSS ${(empty.rss / MiB).toFixed(1)} MiB, heap ${(empty.heapUsed / MiB).toFixed(1)} MiB; ` +
        `with ${connections}: RSS ${(loaded.rss / MiB).toFixed(1)} MiB, heap ${(loaded.heapUsed / MiB).toFixed(1)} MiB`);
      return {
        rssPerConnection: (loaded.rss - empty.rss) / connections / 1024,
        heapPerConnection: (loaded.heapUsed - empty.heapUsed) / connections / 1024,
      };
    });
  },
};
