import { RealtimeClient } from '@nest-realtime/client/node';
import type { ChannelMessage } from '@nest-realtime/client';
import { collectMessages } from '../support/client-waits';
import { ClusterNode } from '../support/cluster/cluster-node';
import { useTwoNodeCluster } from '../support/cluster/two-node-cluster';
import { GatedTransport } from '../support/gated-transport';
import { REDIS_BACKENDS } from '../support/redis-backend';

const WINDOW = 3000;
const CLIENTS = 6;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** An SDK client of node A whose reconnects a load balancer sends to node B (A is out of rotation once it drains), and what it went through. */
interface Drained {
  user: string;
  client: RealtimeClient;
  messages: Array<ChannelMessage<number>>;
  count(n: number): Promise<void>;
  /** ms after the SIGTERM when the client saw its close, and with which code. */
  closed?: { at: number; code?: number };
  /** ms after the SIGTERM when it was connected again. */
  reconnectedAt?: number;
  /** Its channel came back by a resume (not a fresh join). */
  resumed: Promise<boolean>;
}

describe.each(REDIS_BACKENDS)('Many nodes on %s: a drained node hands its clients over', (backend) => {
  const cluster = useTwoNodeCluster({ drainWindow: WINDOW, backend });
  let a: ClusterNode;
  let b: ClusterNode;
  beforeAll(() => ({ a, b } = cluster));

  async function clientOfA(user: string, since: () => number): Promise<Drained> {
    const network = new GatedTransport((url) => url.replace(`:${a.port}/`, `:${b.port}/`));
    network.allow();
    // The SDK draws its first delay after a 1012 from restartJitter: 1 s here, to keep the suite short.
    const client = new RealtimeClient({ url: a.ws, params: { user }, transport: network.transport, reconnect: { restartJitter: 1000 } });
    await client.connect();
    const room = client.channel<number>('room:drain');
    const { messages, count } = collectMessages(room);
    await room.join({});
    const drained: Drained = {
      user,
      client,
      messages,
      count,
      resumed: new Promise((resolve) => room.on('joined', ({ rejoined, resumed }) => rejoined && resolve(resumed === true))),
    };
    client.on('state', ({ state, close }) => {
      if (state === 'reconnecting' && !drained.closed) drained.closed = { at: since(), code: close?.code };
    });
    client.on('connected', () => {
      if (drained.closed) drained.reconnectedAt ??= since();
    });
    return drained;
  }

  it(
    'every client of the drained node resumes on the other without losing a message, the closes and reconnects spread over the window',
    async () => {
      let sigtermAt = 0;
      const since = () => Date.now() - sigtermAt;
      const clients: Drained[] = [];
      for (let index = 0; index < CLIENTS; index++) clients.push(await clientOfA(`drained${index}`, since));
      try {
        // Node B publishes a numbered message every 100 ms, before, during and after the drain.
        let published = 0;
        let publishing = true;
        const publisher = (async () => {
          while (publishing) {
            await b.call('publish', 'room:drain', published++);
            await sleep(100);
          }
        })();
        await Promise.all(clients.map((client) => client.count(3)));

        sigtermAt = Date.now();
        const exited = a.terminate().then(since);
        const resumed = await Promise.all(clients.map((client) => client.resumed));
        const exitedAt = await exited;
        await sleep(300);
        publishing = false;
        await publisher;
        // A lost message would never come: wait a while, then compare.
        await Promise.race([Promise.all(clients.map((client) => client.count(published))), sleep(5000)]);

        expect(resumed).toEqual(clients.map(() => true));
        const everyMessage = Array.from({ length: published }, (_, index) => ({ offset: index + 1, payload: index }));
        for (const { user, messages } of clients) {
          expect({ user, messages: messages.map(({ offset, payload }) => ({ offset, payload })) }).toEqual({ user, messages: everyMessage });
        }
        for (const { user } of clients) {
          // B writes a new connection's record a moment after its welcome.
          await b.callUntil('findAnywhere', [user], (records: Array<{ nodeId: string }>) => records.length === 1 && records[0].nodeId === b.nodeId);
        }

        // Closed with 1012 about 0.43 s, 0.86 s… 2.57 s after the SIGTERM (loose bounds for a loaded machine), not at once.
        const closes = clients.map(({ closed }) => closed!).sort((x, y) => x.at - y.at);
        expect(closes.map(({ code }) => code)).toEqual(clients.map(() => 1012));
        expect(closes[0].at).toBeGreaterThanOrEqual(300);
        expect(closes[CLIENTS - 1].at).toBeLessThan(WINDOW + 500);
        expect(closes[CLIENTS - 1].at - closes[0].at).toBeGreaterThan(WINDOW / 2);
        // The reconnects follow their closes (each after its own jitter): spread too.
        const reconnects = clients.map(({ reconnectedAt }) => reconnectedAt!).sort((x, y) => x - y);
        expect(reconnects[CLIENTS - 1] - reconnects[0]).toBeGreaterThan(WINDOW / 4);
        clients.forEach(({ closed, reconnectedAt }) => expect(reconnectedAt).toBeGreaterThan(closed!.at));
        // The process ended once its last client was gone, within the window and the shutdown's grace.
        expect(a.alive).toBe(false);
        expect(exitedAt).toBeGreaterThanOrEqual(closes[CLIENTS - 1].at - 300);
        expect(exitedAt).toBeLessThan(WINDOW + 2000);
      } finally {
        clients.forEach(({ client }) => client.close());
      }
    },
    30_000,
  );
});
