import { ensureSystemPackages, SystemPackage } from './system-packages';

/** Programs the end-to-end suites drive for real; add an entry when a suite needs another one. */
const PACKAGES: SystemPackage[] = [
  // test/demo-page.e2e-spec.ts drives the demo page in headless Chromium (through playwright-core).
  { binary: 'chromium', debian: 'chromium' },
  // The multi-node suites (test/cluster/) run a real Redis for the Redis engine.
  { binary: 'redis-server', debian: 'redis-server' },
];

export default function globalSetup(): void {
  ensureSystemPackages(PACKAGES);
}
