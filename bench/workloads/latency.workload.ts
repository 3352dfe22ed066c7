import { Completion, connectClients, connectPublisher, markedPayload, markerOf, percentile, withClients, Workload } from './workload';

// Without `:`, which Pusher channel names cannot hold: the realtime-pusher kind's subscribers are Pusher clients.
const ROOM = 'fan-latency';
/** Messages of the first half second are not counted: connections and JIT warm up. */
const WARM_UP_SECONDS = 0.5;

/**
 * Publish-to-receive time at a steady rate: the publisher and the subscribers live in this process,
 * so one clock times both ends. Each message carries its number; a subscriber looks up when it was sent.
 */
export const latencyWorkload: Workload = {
  name: 'latency',
  figures: ({ latency }) => [
    { key: 'p50', label: `latency p50 (${latency.subscribers} subscribers × ${latency.perSecond} msg/s)`, unit: 'ms', better: 'lower' },
    { key: 'p99', label: 'latency p99', unit: 'ms', better: 'lower' },
    { key: 'max', label: 'latency max', unit: 'ms', better: 'lower' },
  ],

  async run(context) {
    const { kind, settings, log } = context;
    const { subscribers: count, perSecond, seconds, payloadBytes } = settings.latency;
    const subscribers = await connectClients(context, count, 'sub-');
    const publisher = await connectPublisher(context);
    return withClients(context, [...subscribers, publisher], async () => {
      await Promise.all([...subscribers, publisher].map((client) => client.join(ROOM)));
      publisher.onMessage(() => undefined);
      const total = Math.round(perSecond * (seconds + WARM_UP_SECONDS));
      const skipped = Math.round(perSecond * WARM_UP_SECONDS);
      const sentAt = new Float64Array(total);
      const samples = new Float64Array((total - skipped) * count);
      let received = 0;
      let measured = 0;
      const done = new Completion(() => received === total * count, (seconds + 60) * 1000, () => `${received} of ${total * count} deliveries`);
      for (const client of subscribers) {
        client.onMessage((raw) => {
          const now = performance.now();
          const index = markerOf(raw);
          if (index >= skipped) samples[measured++] = now - sentAt[index];
          received++;
          done.check();
        });
      }
      const started = performance.now();
      const interval = 1000 / perSecond;
      await new Promise<void>((resolve) => {
        let next = 0;
        const tick = () => {
          // Catch up when a timer fired late: the rate holds on average, as a real source's would.
          while (next < total && performance.now() - started >= next * interval) {
            sentAt[next] = performance.now();
            publisher.publish(ROOM, markedPayload(next++, payloadBytes));
          }
          if (next < total) setTimeout(tick, Math.max(0, started + next * interval - performance.now()));
          else resolve();
        };
        tick();
      });
      await done.promise;
      const sorted = samples.subarray(0, measured).sort();
      log(`${measured} samples`);
      return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] };
    });
  },
};
