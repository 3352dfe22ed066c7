import { ensureSystemPackages, SystemPackage } from './system-packages';

/** Programs the end-to-end suites drive for real; add an entry when a suite needs another one. */
const PACKAGES: SystemPackage[] = [
  // test/demo-page.e2e-spec.ts drives the demo page in headless Chromium (through playwright-core).
  { binary: 'chromium', debian: 'chromium' },
  // The multi-node suites (test/cluster/) run a real Redis for the Redis engine.
  { binary: 'redis-server', debian: 'redis-server' },
  // ...and a real Redis Cluster, which tools/redis-cluster.ts joins with `redis-cli --cluster create`.
  { binary: 'redis-cli', debian: 'redis-tools' },
];

export default function globalSetup(): void {
  ensureSystemPackages(PACKAGES);
}
