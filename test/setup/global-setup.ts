import { ensureSystemPackages, SystemPackage } from './system-packages';

/** Programs the end-to-end suites drive for real; add an entry when a suite needs another one. */
const PACKAGES: SystemPackage[] = [];

export default function globalSetup(): void {
  ensureSystemPackages(PACKAGES);
}
