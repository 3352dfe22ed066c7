// A load generator (see `LoadGenerators`): opens the clients it is told to, holds them, and exits when told.
import { SERVER_KINDS } from '../servers/server-kinds';
import { joinPresenceRooms, openClients } from '../workloads/workload';
import type { GeneratorOrder, GeneratorReport } from './load-generator';
import { sourceAddressOf } from './system-limits';

/** Handshakes on the way at once, per generator. */
const CONCURRENCY = 100;

const report = (message: GeneratorReport) => process.send?.(message);

process.on('message', (order: GeneratorOrder) => {
  if (order.type === 'close') process.exit(0);
  const { kind: name, first, urls, roomSize } = order;
  const kind = SERVER_KINDS.find((candidate) => candidate.name === name);
  if (!kind) return report({ type: 'failed', message: `no server kind ${name}` });
  const connect = (index: number) => kind.clients.connect(urls[index], `user-${first + index}`, { localAddress: sourceAddressOf(first + index) });
  openClients(urls.length, CONCURRENCY, connect)
    .then((clients) => joinPresenceRooms(clients, `room:${first}-`, roomSize))
    .then(
      () => report({ type: 'opened' }),
      (error: unknown) => report({ type: 'failed', message: error instanceof Error ? error.message : String(error) }),
    );
});
process.on('disconnect', () => process.exit(0));
