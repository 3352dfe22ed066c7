import { Registry } from 'prom-client';
import { resolveRealtimeMetricsOptions } from './realtime-metrics.options';

describe('resolveRealtimeMetricsOptions', () => {
  it("serves /metrics from a registry of its own, without prom-client's default metrics, timing one publish in 16", () => {
    const resolved = resolveRealtimeMetricsOptions();
    expect(resolved).toMatchObject({ path: '/metrics', ownRegistry: true, prefix: 'realtime_', defaultMetrics: false, publishSampling: 16 });
    expect(resolved.registry).toBeInstanceOf(Registry);
  });

  it("takes the application's registry, and the default metrics when asked", () => {
    const registry = new Registry();
    expect(resolveRealtimeMetricsOptions({ registry, path: false, defaultMetrics: true })).toMatchObject({
      registry,
      path: false,
      ownRegistry: false,
      defaultMetrics: true,
    });
  });

  it('takes an empty prefix and turns publish timing off with 0', () => {
    expect(resolveRealtimeMetricsOptions({ prefix: '', publishSampling: 0 })).toMatchObject({ prefix: '', publishSampling: 0 });
  });

  it.each([
    [{ path: 'metrics' }, `option "path" must be a path such as '/metrics', or false (no route: serve the registry yourself); got "metrics".`],
    [{ registry: {} }, `option "registry" must be a prom-client Registry (import { Registry } from 'prom-client'); got {}.`],
    [{ publishSampling: 0.5 }, 'option "publishSampling" must be an integer ≥ 0; got 0.5.'],
    [{ defaultMetrics: 'yes' }, 'option "defaultMetrics" must be true or false; got "yes".'],
  ])('refuses %j, naming the option', (options, message) => {
    expect(() => resolveRealtimeMetricsOptions(options as never)).toThrow(`RealtimeMetricsModule: ${message}`);
  });
});
