import { Registry } from 'prom-client';
import { OptionChecks, optionFailure } from '../options/option.checks';
import { AN_OBJECT, METRICS_PATH, METRICS_PREFIX, METRICS_REGISTRY } from '../realtime.messages';

export interface RealtimeMetricsOptions {
  /**
   * Where `GET` serves the metrics on the application's HTTP server (after its global prefix, if any);
   * `false`: no route, read `registry` yourself. Default `'/metrics'`.
   */
  path?: string | false;
  /** The prom-client registry the metrics are registered in, such as your application's. Default: one of the module's own. */
  registry?: Registry;
  /** Prefix of every metric's name. Default `'realtime_'`. */
  prefix?: string;
  /**
   * Also collect prom-client's default metrics (process CPU and memory, heap, GC, handles) into the
   * registry. They cost far more than the realtime metrics (files of /proc read at each scrape, an
   * observer on every garbage collection). Default `false`.
   */
  defaultMetrics?: boolean;
  /** Time one publish in this many for `publish_write_seconds` (`1`: each one; `0`: none, and no such histogram). Default `16`. */
  publishSampling?: number;
}

export interface ResolvedRealtimeMetricsOptions {
  path: string | false;
  registry: Registry;
  /** Whether the registry is the module's own (it is cleared at shutdown) or the application's. */
  ownRegistry: boolean;
  prefix: string;
  defaultMetrics: boolean;
  publishSampling: number;
}

const check = new OptionChecks(optionFailure('RealtimeMetricsModule'));

function isRegistry(value: unknown): value is Registry {
  const registry = value as Partial<Registry> | null;
  return typeof registry?.registerMetric === 'function' && typeof registry.metrics === 'function';
}

/** Checks the options and fills in the defaults (the one place they are). */
export function resolveRealtimeMetricsOptions(raw: RealtimeMetricsOptions = {}): ResolvedRealtimeMetricsOptions {
  if (typeof raw !== 'object' || raw === null) throw check.fail('options', AN_OBJECT(), raw);
  const path = raw.path === false ? false : check.text('path', raw.path, '/metrics', /^\/[^\s?#]*$/, METRICS_PATH);
  if (raw.registry !== undefined && !isRegistry(raw.registry)) throw check.fail('registry', METRICS_REGISTRY, raw.registry);
  const ownRegistry = raw.registry === undefined;
  return {
    path,
    registry: raw.registry ?? new Registry(),
    ownRegistry,
    prefix: check.text('prefix', raw.prefix, 'realtime_', /^([a-zA-Z_:][a-zA-Z0-9_:]*)?$/, METRICS_PREFIX),
    defaultMetrics: check.boolean('defaultMetrics', raw.defaultMetrics, false),
    publishSampling: check.integer('publishSampling', raw.publishSampling, 16, 0),
  };
}
