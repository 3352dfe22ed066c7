import { closeClients, connectClients, withClients, Workload } from './workload';

/** Handshakes per second: connect, upgrade and the server's welcome, `concurrency` at a time. */
export const connectRateWorkload: Workload = {
  name: 'connect-rate',
  figures: ({ connectRate }) => [
    { key: 'connectsPerSecond', label: `connection rate: connects + welcome/s (${connectRate.connections}, ${connectRate.concurrency} at a time)`, unit: '/s', better: 'higher' },
  ],

  async run(context) {
    const { connections, concurrency } = context.settings.connectRate;
    // A first small round warms up the server's code paths, as the other workloads' first burst does.
    closeClients(await connectClients(context, Math.min(100, connections), 'warm-', concurrency));
    const started = performance.now();
    const clients = await connectClients(context, connections, 'user-', concurrency);
    const elapsed = (performance.now() - started) / 1000;
    return withClients(context, clients, async () => {
      context.log(`${connections} connections in ${elapsed.toFixed(2)} s`);
      return { connectsPerSecond: connections / elapsed };
    });
  },
};
