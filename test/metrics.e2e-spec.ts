import { INestApplication, Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { readFileSync } from 'fs';
import type { AddressInfo } from 'net';
import { join } from 'path';
import { Counter, Registry } from 'prom-client';
import { filter, firstValueFrom } from 'rxjs';
import type { RawData } from 'ws';
import { ConnectionService, OnPresence, RealtimeAdapter, RealtimeModule, RealtimeModuleOptions } from '@nest-realtime/core';
import type { PresenceEvent } from '@nest-realtime/core';
import { REALTIME_METRICS_REGISTRY, RealtimeMetricsModule, RealtimeMetricsOptions } from '@nest-realtime/core/metrics';
import { METRICS_NEED_REALTIME_MODULE } from '@nest-realtime/core/realtime.messages';
import { RedisEngine } from '@nest-realtime/redis';
import { userFromQuery } from './support/auth';
import { DemoServer } from './support/demo-server';
import { RedisServer } from './support/redis-server';
import { TestClient, upgradeStatus } from './support/test-client';

/** The samples of a Prometheus text exposition, by `name{label="value",…}` with the labels sorted. */
class Exposition {
  private readonly samples = new Map<string, number>();
  readonly types = new Map<string, string>();

  constructor(readonly text: string) {
    for (const line of text.split('\n')) {
      const type = /^# TYPE (\S+) (\S+)$/.exec(line);
      if (type) this.types.set(type[1], type[2]);
      const sample = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!sample) continue;
      const labels = [...(sample[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map(([, name, value]) => [name, value] as [string, string]);
      this.samples.set(Exposition.key(sample[1], Object.fromEntries(labels)), Number(sample[3]));
    }
  }

  static key(name: string, labels: Record<string, string>): string {
    const pairs = Object.entries(labels).sort(([a], [b]) => a.localeCompare(b));
    return pairs.length === 0 ? name : `${name}{${pairs.map(([label, value]) => `${label}="${value}"`).join(',')}}`;
  }

  /** A sample's value; undefined when the exposition has none. */
  value(name: string, labels: Record<string, string> = {}): number | undefined {
    return this.samples.get(Exposition.key(name, labels));
  }

  /** Every sample of a metric, by its labels' key. */
  all(name: string): Record<string, number> {
    return Object.fromEntries([...this.samples].filter(([key]) => key === name || key.startsWith(`${name}{`)));
  }
}

/** A hook, so that hook runs are timed. */
@Injectable()
class Arrivals {
  joins = 0;

  @OnPresence('join', 'room:*')
  joined(_event: PresenceEvent): void {
    this.joins++;
  }
}

/**
 * A ws client that counts what crosses the wire as the server counts it: frames and payload bytes it
 * sends (each one a frame the server reads) and receives (each one a frame the server writes).
 */
interface CountedClient {
  client: TestClient;
  sent: { frames: number; bytes: number };
  received: { frames: number; bytes: number };
}

/** Polls until `done` holds (10 s at most). */
async function waitFor(done: () => Promise<boolean>): Promise<void> {
  for (const until = Date.now() + 10_000; !(await done()); ) {
    if (Date.now() > until) throw new Error('the condition never held within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

class MetricsTestApp {
  private readonly clients: TestClient[] = [];

  private constructor(
    readonly app: INestApplication,
    readonly http: string,
    readonly ws: string,
  ) {}

  static async start(realtime: RealtimeModuleOptions, metrics: RealtimeMetricsOptions, providers = [Arrivals]): Promise<MetricsTestApp> {
    const moduleRef = await Test.createTestingModule({
      imports: [RealtimeModule.forRoot(realtime), RealtimeMetricsModule.forRoot(metrics)],
      providers,
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    app.useWebSocketAdapter(new RealtimeAdapter(app));
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as AddressInfo;
    return new MetricsTestApp(app, `http://127.0.0.1:${port}`, `ws://127.0.0.1:${port}/realtime`);
  }

  async connect(user: string, protocols?: string[]): Promise<CountedClient> {
    const client = TestClient.open(`${this.ws}?user=${user}`, undefined, protocols);
    this.clients.push(client);
    const counted: CountedClient = { client, sent: { frames: 0, bytes: 0 }, received: { frames: 0, bytes: 0 } };
    client.socket.on('message', (raw: RawData) => {
      counted.received.frames++;
      counted.received.bytes += (raw as Buffer).length;
    });
    const send = client.socket.send.bind(client.socket) as (data: string, ...rest: unknown[]) => void;
    client.socket.send = ((data: string, ...rest: unknown[]) => {
      counted.sent.frames++;
      counted.sent.bytes += Buffer.byteLength(data);
      send(data, ...rest);
    }) as typeof client.socket.send;
    await new Promise((resolve, reject) => client.socket.once('open', resolve).once('error', reject));
    await client.next((frame) => frame.event === 'connection:welcome');
    return counted;
  }

  async scrape(path = '/metrics'): Promise<Exposition> {
    const response = await this.fetch(path);
    expect(response.status).toBe(200);
    return new Exposition(await response.text());
  }

  fetch(path: string): Promise<Response> {
    return fetch(`${this.http}${path}`);
  }

  async close(): Promise<void> {
    await this.app.close();
    await Promise.all(this.clients.map((client) => client.terminate()));
  }
}

const SESSION_OPTIONS: RealtimeModuleOptions = {
  authenticate: userFromQuery,
  channels: [{ pattern: 'room:*', presence: true }],
  // One presence frame, then rate_limited: a refusal to count.
  rateLimit: { connection: { presence: { frames: { burst: 1, perSecond: 0.001 } } } },
  // No sweep during the test: the cleanup counts only the release of the closed connection.
  cleanup: { interval: 60_000 },
};

describe('metrics', () => {
  describe('after a session', () => {
    let rt: MetricsTestApp;
    let before: Exposition;
    let after: Exposition;
    let alice: CountedClient;
    let bob: CountedClient;

    beforeAll(async () => {
      rt = await MetricsTestApp.start(SESSION_OPTIONS, { publishSampling: 1, defaultMetrics: true });
      before = await rt.scrape();

      // A refused upgrade (no user: 401), alice with the JSON subprotocol, bob without any.
      expect(await upgradeStatus(rt.ws)).toBe(401);
      alice = await rt.connect('alice', ['realtime.v1.json']);
      bob = await rt.connect('bob');
      expect((await alice.client.request('channel:join', { channel: 'room:lobby', meta: { name: 'Alice' } })).ok).toBe(true);
      // Alice learns of bob in her first presence:state (both joined within one batch window) or in a diff.
      const bobArrived = alice.client.next(
        ({ event, data }) => (event === 'presence:state' && 'bob' in data.presences) || (event === 'presence:diff' && 'bob' in data.joins),
      );
      expect((await bob.client.request('channel:join', { channel: 'room:lobby', meta: { name: 'Bob' } })).ok).toBe(true);
      await bobArrived;

      // A publish both members get, a publish refused by its handler, one refused by the rate limit, an unreadable frame.
      const message = bob.client.nextEvent('channel:message');
      expect((await alice.client.request('channel:publish', { channel: 'room:lobby', payload: 'hello' })).ok).toBe(true);
      await message;
      expect((await alice.client.request('channel:publish', { channel: 'room:elsewhere', payload: 'hello?' })).error?.code).toBe('not_joined');
      expect((await alice.client.request('presence:update', { channel: 'room:lobby', meta: { name: 'Alice', away: true } })).ok).toBe(true);
      expect((await alice.client.request('presence:update', { channel: 'room:lobby', meta: { name: 'Alice' } })).error?.code).toBe('rate_limited');
      const unreadable = bob.client.nextEvent('error');
      bob.client.send('this is not JSON');
      expect((await unreadable).data.code).toBe('bad_frame');

      // Bob leaves with his own close code; alice sees him go.
      const bobLeft = alice.client.nextEvent('presence:diff', (data) => 'bob' in data.leaves);
      const released = firstValueFrom(rt.app.get(ConnectionService).connection$.pipe(filter((event) => event.type === 'close')));
      await bob.client.closeAndWait(4100);
      await released;
      await bobLeft;
      await alice.client.roundTrip();

      after = await rt.scrape();
    });

    afterAll(() => rt.close());

    it('counts connections: open, opened, closed by code, and upgrades refused by status', () => {
      expect(after.value('realtime_connections_open')).toBe(1);
      expect(after.value('realtime_connections_opened_total')).toBe(2);
      expect(after.all('realtime_connections_closed_total')).toEqual({ 'realtime_connections_closed_total{code="4100"}': 1 });
      expect(after.all('realtime_upgrades_refused_total')).toEqual({ 'realtime_upgrades_refused_total{status="401"}': 1 });
    });

    it("counts this node's channels, members and presence entries", () => {
      expect(after.value('realtime_channels')).toBe(1);
      expect(after.value('realtime_channel_members')).toBe(1);
      expect(after.value('realtime_presence_members')).toBe(1);
    });

    it('counts frames and bytes both ways, by encoding and subprotocol, as the clients saw them', () => {
      const json = { encoding: 'json', protocol: 'realtime.v1.json' };
      const none = { encoding: 'json', protocol: 'none' };
      expect(after.value('realtime_frames_received_total', json)).toBe(alice.sent.frames);
      expect(after.value('realtime_bytes_received_total', json)).toBe(alice.sent.bytes);
      expect(after.value('realtime_frames_received_total', none)).toBe(bob.sent.frames);
      expect(after.value('realtime_bytes_received_total', none)).toBe(bob.sent.bytes);
      expect(after.value('realtime_frames_sent_total', json)).toBe(alice.received.frames);
      expect(after.value('realtime_bytes_sent_total', json)).toBe(alice.received.bytes);
      expect(after.value('realtime_frames_sent_total', none)).toBe(bob.received.frames);
      expect(after.value('realtime_bytes_sent_total', none)).toBe(bob.received.bytes);
      // join, publish, refused publish, two presence updates, the round trip's ping; join, the unreadable frame.
      expect([alice.sent.frames, bob.sent.frames]).toEqual([6, 2]);
    });

    it('counts refused frames and errors by code, and rate-limit refusals', () => {
      expect(after.all('realtime_frames_refused_total')).toEqual({
        'realtime_frames_refused_total{code="bad_frame"}': 1,
        'realtime_frames_refused_total{code="rate_limited"}': 1,
      });
      expect(after.value('realtime_rate_limited_total')).toBe(1);
      // Counted per process: what this session added.
      for (const code of ['bad_frame', 'not_joined', 'rate_limited']) {
        expect((after.value('realtime_errors_total', { code }) ?? 0) - (before.value('realtime_errors_total', { code }) ?? 0)).toBe(1);
      }
    });

    it('times the publish and each hook run in histograms', () => {
      expect(after.value('realtime_publish_write_seconds_count')).toBe(1);
      expect(after.value('realtime_publish_write_seconds_bucket', { le: '+Inf' })).toBe(1);
      const hook = { stream: 'presence$', hook: 'Arrivals.joined' };
      expect(rt.app.get(Arrivals).joins).toBe(2);
      expect(after.value('realtime_hook_run_seconds_count', hook)).toBe(2);
      expect(after.value('realtime_hook_run_seconds_sum', hook)).toBeGreaterThanOrEqual(0);
    });

    it('reads the cleanup counters, the engine state and the event loop lag', () => {
      expect(after.value('realtime_cleanup_tasks_processed_total')).toBe(1);
      expect(after.value('realtime_cleanup_tasks_failed_total')).toBe(0);
      expect(after.value('realtime_cleanup_tasks_retried_total')).toBe(0);
      expect(after.value('realtime_cleanup_tasks_pending')).toBe(0);
      expect(after.value('realtime_engine_reachable', { engine: 'MemoryEngine' })).toBe(1);
      expect(after.value('realtime_dead_nodes_claimed_total')).toBe(0);
      for (const quantile of ['0.5', '0.99', '1']) expect(after.value('realtime_event_loop_lag_seconds', { quantile })).toBeGreaterThanOrEqual(0);
    });

    it("started from zero, with every metric typed, and prom-client's default metrics beside them when asked", () => {
      expect(before.value('realtime_connections_opened_total')).toBe(0);
      expect(before.value('realtime_rate_limited_total')).toBe(0);
      expect(before.value('realtime_publish_write_seconds_count')).toBe(0);
      expect(before.all('realtime_frames_sent_total')).toEqual({});
      expect(after.types.get('realtime_connections_closed_total')).toBe('counter');
      expect(after.types.get('realtime_connections_open')).toBe('gauge');
      expect(after.types.get('realtime_hook_run_seconds')).toBe('histogram');
      expect(after.value('process_cpu_user_seconds_total')).toBeGreaterThan(0);
    });

    it('serves exactly the metrics docs/metrics.md lists, and the Grafana dashboard uses no other', () => {
      const served = [...after.types.keys()].filter((name) => name.startsWith('realtime_')).sort();
      const docs = readFileSync(join(__dirname, '../docs/metrics.md'), 'utf8');
      const documented = [...docs.matchAll(/^\| `(realtime_\w+)` \|/gm)].map(([, name]) => name).sort();
      expect(documented).toEqual(served);
      const dashboard = readFileSync(join(__dirname, '../docs/grafana-dashboard.json'), 'utf8');
      const queried = new Set([...dashboard.matchAll(/realtime_\w+/g)].map(([name]) => name.replace(/_(bucket|sum|count)$/, '')));
      expect([...queried].filter((name) => !served.includes(name))).toEqual([]);
    });

    it("serves the text with the registry's content type", async () => {
      const response = await rt.fetch('/metrics');
      // Express puts the charset first; the parameters are the registry's.
      const [type, ...parameters] = response.headers.get('content-type')!.split(/;\s*/);
      expect([type, ...parameters.sort()]).toEqual(['text/plain', 'charset=utf-8', 'version=0.0.4']);
      expect(response.headers.get('cache-control')).toBe('no-store');
    });
  });

  describe("into the application's registry", () => {
    it('registers under its prefix, serves no route with path: false, and removes only its own metrics at shutdown', async () => {
      const registry = new Registry();
      new Counter({ name: 'app_orders_total', help: 'Orders.', registers: [registry] }).inc(3);
      const rt = await MetricsTestApp.start({}, { registry, path: false, prefix: 'chat_' });
      try {
        await rt.connect('anyone');
        expect((await rt.fetch('/metrics')).status).toBe(404);
        expect(rt.app.get(REALTIME_METRICS_REGISTRY)).toBe(registry);
        const exposition = new Exposition(await registry.metrics());
        expect(exposition.value('chat_connections_open')).toBe(1);
        expect(exposition.value('app_orders_total')).toBe(3);
        // prom-client's default metrics only when asked.
        expect(exposition.value('process_cpu_user_seconds_total')).toBeUndefined();
      } finally {
        await rt.close();
      }
      expect(registry.getMetricsAsArray().map((metric) => metric.name)).toEqual(['app_orders_total']);
    });
  });

  describe('on the Redis engine', () => {
    it('shows Redis unreachable while it is down, and reachable again once it is back', async () => {
      const redis = await RedisServer.start();
      const engine = new RedisEngine({ url: redis.url, logLevels: [] });
      const rt = await MetricsTestApp.start({ engine, channels: [{ pattern: 'room:*', presence: true }] }, {});
      try {
        const reachable = async () => (await rt.scrape()).value('realtime_engine_reachable', { engine: 'RedisEngine' });
        const member = await rt.connect('anyone');
        expect((await member.client.request('channel:join', { channel: 'room:lobby' })).ok).toBe(true);
        const up = await rt.scrape();
        expect([up.value('realtime_engine_reachable', { engine: 'RedisEngine' }), up.value('realtime_channels'), up.value('realtime_presence_members')]).toEqual([1, 1, 1]);

        await redis.stop();
        await waitFor(async () => (await reachable()) === 0);
        await redis.startAgain();
        await waitFor(async () => (await reachable()) === 1);
      } finally {
        await rt.close();
        await redis.close();
      }
    });
  });

  describe('misconfigured', () => {
    it('fails the bootstrap when RealtimeModule is not imported', async () => {
      @Module({ imports: [RealtimeMetricsModule.forRoot()] })
      class WithoutRealtime {}
      const moduleRef = await Test.createTestingModule({ imports: [WithoutRealtime] }).compile();
      const app = moduleRef.createNestApplication({ logger: false });
      await expect(app.init()).rejects.toThrow(METRICS_NEED_REALTIME_MODULE);
      await app.close();
    });

    it('refuses a prefix that cannot start a metric name, saying what it takes', () => {
      expect(() => RealtimeMetricsModule.forRoot({ prefix: '1st-' })).toThrow(
        `RealtimeMetricsModule: option "prefix" must be letters, digits, '_' and ':', not starting with a digit (a Prometheus metric name's start); got "1st-".`,
      );
    });
  });

  describe('in the demo', () => {
    it('serves GET /metrics', async () => {
      const demo = await DemoServer.start();
      try {
        const response = await fetch(`${demo.http}/metrics`);
        expect(response.status).toBe(200);
        expect(new Exposition(await response.text()).value('realtime_connections_open')).toBe(0);
      } finally {
        await demo.stop();
      }
    });
  });
});
