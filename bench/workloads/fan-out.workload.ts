import { BenchSettings, Completion, compressiblePayload, connectClients, connectPublisher, markedPayload, markerOf, withClients, Workload } from './workload';

// Without `:`, which Pusher channel names cannot hold: the realtime-pusher kind's subscribers are Pusher clients.
const ROOM = 'fan-bench';
/** Bursts on the way at once: the next goes out when the one before last has arrived everywhere. */
const IN_FLIGHT = 2;

/** What sets one fan-out apart from another: its name, how its rows read, what the publisher sends. */
interface FanOutShape {
  name: string;
  /** The prefix of its rows in the table. */
  label: string;
  /** What its first row says of the run's size. */
  describe(settings: BenchSettings): string;
  payload(marker: number, settings: BenchSettings): string;
  kinds?: string[];
}

/**
 * One room, N subscribers and one publisher (a member too). The publisher sends bursts of messages;
 * deliveries per second count what the subscribers received, and the server's CPU time is read before
 * and after. A first burst, checked message by message, warms up and proves the server delivers.
 */
function fanOut(shape: FanOutShape): Workload {
  return {
    name: shape.name,
    kinds: shape.kinds,
    figures: (settings) => [
      { key: 'deliveriesPerSecond', label: `${shape.label}: deliveries/s (${shape.describe(settings)})`, unit: '/s', better: 'higher' },
      { key: 'cpuMicrosPerDelivery', label: `${shape.label}: server CPU per delivery`, unit: 'µs', better: 'lower' },
    ],

    async run(context) {
      const { kind, settings, log } = context;
      const { subscribers: count, burst, seconds } = settings.fanOut;
      const subscribers = await connectClients(context, count, 'sub-');
      const publisher = await connectPublisher(context);
      return withClients(context, [...subscribers, publisher], async () => {
        await Promise.all([...subscribers, publisher].map((client) => client.join(ROOM)));
        publisher.onMessage(() => undefined);
        const perBurst = count * burst;
        let delivered = 0;
        let sent = 0;
        const publish = () => {
          for (let i = 0; i < burst; i++) publisher.publish(ROOM, shape.payload(sent * burst + i, settings));
          sent++;
        };

        // The check: every subscriber gets every message of the first burst, in order.
        const expected = new Int32Array(count);
        let wrong = 0;
        const checked = new Completion(() => delivered === perBurst, 30_000, () => `${delivered} of ${perBurst} deliveries of the first burst`);
        subscribers.forEach((client, index) =>
          client.onMessage((raw) => {
            if (markerOf(raw) !== expected[index]++) wrong++;
            delivered++;
            checked.check();
          }),
        );
        publish();
        await checked.promise;
        if (wrong > 0) throw new Error(`${kind.name}: ${wrong} messages of the first burst arrived out of order or damaged.`);

        delivered = 0;
        sent = 0;
        const until = () => performance.now() - started >= seconds * 1000;
        let finished = false;
        const done = new Completion(() => finished, (seconds + 60) * 1000, () => `${delivered} of ${sent * perBurst} deliveries`);
        const onDelivery = () => {
          delivered++;
          if (delivered % perBurst !== 0) return;
          if (!until()) publish();
          else if (delivered === sent * perBurst) {
            finished = true;
            done.check();
          }
        };
        for (const client of subscribers) client.onMessage(onDelivery);
        const before = await context.server.usage();
        const started = performance.now();
        for (let i = 0; i < IN_FLIGHT; i++) publish();
        await done.promise;
        const elapsed = (performance.now() - started) / 1000;
        const after = await context.server.usage();
        log(`${delivered} deliveries in ${elapsed.toFixed(2)} s`);
        return {
          deliveriesPerSecond: delivered / elapsed,
          cpuMicrosPerDelivery: (after.cpuMicros - before.cpuMicros) / delivered,
        };
      });
    },
  };
}

export const fanOutWorkload = fanOut({
  name: 'fan-out',
  label: 'fan-out',
  describe: ({ fanOut }) => `${fanOut.subscribers} subscribers, bursts of ${fanOut.burst}`,
  payload: (marker, { fanOut }) => markedPayload(marker, fanOut.payloadBytes),
});

/**
 * The same with payloads that deflate to about a fifth and are over the compression threshold: the
 * deflate kinds negotiate permessage-deflate, raw-ws and realtime send the same payloads uncompressed.
 */
export const compressedFanOutWorkload = fanOut({
  name: 'fan-out-deflate',
  label: 'compressed fan-out',
  describe: ({ fanOut }) => `${fanOut.subscribers} subscribers, bursts of ${fanOut.burst}, ${fanOut.compressedPayloadBytes} B that deflate to ⅕`,
  payload: (marker, { fanOut }) => compressiblePayload(marker, fanOut.compressedPayloadBytes),
  kinds: ['raw-ws', 'realtime', 'raw-ws-deflate', 'realtime-deflate'],
});
