import type { BenchClient, PresenceCopy } from '../clients/bench-client';
import { closeClients, Completion, connectClients, quiet, Workload } from './workload';

const ROOM = 'room:storm';
/** Generous for a storm whose cost grows as N² (raw ws's and Socket.IO's 2,000 take about 20 s here). */
const timeoutFor = (size: number) => 30_000 + size * size * 0.03;

/**
 * N connected clients join one presence room at once. Measured from the first join sent until every
 * client holds the full member list (checked against the ids that joined), and the presence frames and
 * bytes the clients received, trailing ones included. One fresh room per size.
 */
export const presenceStormWorkload: Workload = {
  name: 'presence-storm',
  figures: ({ presenceStorm }) =>
    presenceStorm.sizes.flatMap((size) => [
      { key: `frames@${size}`, label: `presence storm ${size}: frames sent`, unit: '', better: 'lower' as const },
      { key: `framesPerClient@${size}`, label: `presence storm ${size}: frames per client`, unit: '', better: 'lower' as const },
      { key: `mib@${size}`, label: `presence storm ${size}: bytes sent`, unit: 'MiB', better: 'lower' as const },
      { key: `ms@${size}`, label: `presence storm ${size}: time to a full member list everywhere`, unit: 'ms', better: 'lower' as const },
    ]),

  async run(context) {
    const figures: Record<string, number> = {};
    let previous: BenchClient[] = [];
    for (const [round, size] of context.settings.presenceStorm.sizes.entries()) {
      // A fresh server for each size; the last size's clients are let go once their server is gone,
      // so that their leaves cost no server any work.
      if (round > 0) await context.restart();
      closeClients(previous);
      const clients = (previous = await connectClients(context, size, 'user-'));
      try {
        for (const client of clients) client.received = { frames: 0, bytes: 0 };
        const ids = new Set(clients.map((client) => client.id));
        let consistent = 0;
        const copies: PresenceCopy[] = [];
        const seen = new Uint8Array(size);
        const done = new Completion(() => consistent === size, timeoutFor(size), () => `${consistent} of ${size} clients hold the full list`);
        const started = performance.now();
        clients.forEach((client, index) => {
          const copy = client.joinPresence(`${ROOM}:${size}`, { name: client.id });
          copies.push(copy);
          copy.onChange(() => {
            const full = copy.size === size;
            if (full && !seen[index]) consistent++;
            else if (!full && seen[index]) consistent--;
            seen[index] = full ? 1 : 0;
            done.check();
          });
        });
        await done.promise;
        const elapsed = performance.now() - started;
        await quiet(clients, 300);
        const wrong = copies.filter((copy) => copy.size !== size || [...copy.ids()].some((id) => !ids.has(id))).length;
        if (wrong > 0) throw new Error(`${context.kind.name}: ${wrong} of ${size} clients hold a wrong member list after the storm.`);
        const frames = clients.reduce((sum, client) => sum + client.received.frames, 0);
        const bytes = clients.reduce((sum, client) => sum + client.received.bytes, 0);
        context.log(`${size}: ${frames} frames, ${(bytes / 1048576).toFixed(1)} MiB, ${elapsed.toFixed(0)} ms`);
        Object.assign(figures, {
          [`frames@${size}`]: frames,
          [`framesPerClient@${size}`]: frames / size,
          [`mib@${size}`]: bytes / 1048576,
          [`ms@${size}`]: elapsed,
        });
      } catch (error) {
        // The sizes already measured stand; a larger one would fail the same way, only slower.
        context.fail(`at ${size} clients: ${error instanceof Error ? error.message : String(error)}`);
        break;
      }
    }
    context.afterStop(() => closeClients(previous));
    return figures;
  },
};
