import { Injectable, Logger } from '@nestjs/common';
import { ChannelEvent, OnChannel, OnPresence, PresenceEvent } from '@nest-realtime/core';
import { RealtimeMetricsModule } from '@nest-realtime/core/metrics';
import { userFromQuery } from './support/auth';
import { RealtimeTestApp } from './support/realtime-app';

/** A presence hook that never finishes, and a message hook beside it. */
@Injectable()
class Hooks {
  readonly joins: string[] = [];
  readonly messages: unknown[] = [];

  @OnPresence('join', 'room:*')
  arrived(event: PresenceEvent): Promise<void> {
    this.joins.push(event.clientId);
    return new Promise(() => undefined);
  }

  @OnChannel('message', 'room:*')
  said(event: ChannelEvent): void {
    this.messages.push(event.payload);
  }
}

/** A sample of the Prometheus text, `name{label="value"}`; undefined when absent. */
function sample(text: string, name: string, queue: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name}{queue="${queue}"} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

async function waitFor(done: () => Promise<boolean> | boolean): Promise<void> {
  for (const until = Date.now() + 10_000; !(await done()); ) {
    if (Date.now() > until) throw new Error('the condition never held within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('hook queues', () => {
  let realtime: RealtimeTestApp;
  const join = async (user: string) => {
    const client = await realtime.connect({ user });
    expect((await client.request('channel:join', { channel: 'room:1', meta: {} })).ok).toBe(true);
    return client;
  };
  const metrics = async () => (await fetch(`${realtime.http}/metrics`)).text();

  beforeEach(async () => {
    realtime = await RealtimeTestApp.start(
      { authenticate: userFromQuery, channels: [{ pattern: 'room:*', presence: true }], hooks: { queueSize: 1, timeout: 0 } },
      { imports: [RealtimeMetricsModule.forRoot()], providers: [Hooks] },
    );
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    await realtime.close();
  });

  it('lets frames and the other streams through while a presence hook is stuck, and shows the queue in the metrics', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn');
    const hooks = realtime.get(Hooks);
    const alice = await join('alice');
    await waitFor(() => hooks.joins.length === 1);
    // Alice's join holds the presence$ queue; bob's waits, then carol's drops it (drop-oldest, queueSize 1).
    const bob = await join('bob');
    const carol = await join('carol');
    await waitFor(async () => sample(await metrics(), 'realtime_hook_events_dropped_total', 'presence$') === 1);

    const toBob = bob.nextEvent('channel:message');
    const toCarol = carol.nextEvent('channel:message');
    expect((await alice.request('channel:publish', { channel: 'room:1', payload: 'hello' })).ok).toBe(true);
    expect((await toBob).data.payload).toBe('hello');
    expect((await toCarol).data.payload).toBe('hello');
    await waitFor(() => hooks.messages.length === 1);

    const text = await metrics();
    expect(text).toContain('# TYPE realtime_hook_queue_depth gauge');
    expect(text).toContain('# TYPE realtime_hook_events_dropped_total counter');
    expect(sample(text, 'realtime_hook_queue_depth', 'presence$')).toBe(1);
    expect(sample(text, 'realtime_hook_queue_depth', 'message$')).toBe(0);
    expect(sample(text, 'realtime_hook_events_dropped_total', 'presence$')).toBe(1);
    expect(sample(text, 'realtime_hook_events_dropped_total', 'message$')).toBe(0);
    expect(hooks.joins).toEqual(['alice']);
    expect(hooks.messages).toEqual(['hello']);
    const overflows = warn.mock.calls.map(([message]) => String(message)).filter((message) => message.includes('hook queue is full'));
    expect(overflows).toEqual([expect.stringContaining('The presence$ hook queue is full (1 event): dropped the oldest event, 1 dropped so far; hook Hooks.arrived')]);
  });
});
