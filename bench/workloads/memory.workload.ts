import { connectClients, joinPresenceRooms, warmEmptyUsage, withClients, Workload } from './workload';

const MiB = 1024 * 1024;

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
    const { settings, log } = context;
    const { connections, roomSize } = settings.memory;
    const empty = await warmEmptyUsage(context, roomSize, connections);
    const clients = await connectClients(context, connections, 'user-');
    return withClients(context, clients, async () => {
      await joinPresenceRooms(clients, 'room:', roomSize);
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
