import { execFileSync, spawnSync } from 'child_process';

export interface SystemPackage {
  /** The program the tests run, looked up on PATH. */
  binary: string;
  /** The Debian package that provides it. */
  debian: string;
}

function onPath(binary: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${binary}`], { stdio: 'ignore' }).status === 0;
}

/**
 * Installs the Debian packages whose programs are missing (as root, with apt-get), so that `npm test`
 * on a fresh machine needs nothing done by hand. Without root it says exactly what to install.
 */
export function ensureSystemPackages(packages: SystemPackage[]): void {
  const missing = packages.filter((pkg) => !onPath(pkg.binary));
  if (missing.length === 0) return;
  const names = missing.map((pkg) => pkg.debian);
  if (process.getuid?.() !== 0) {
    throw new Error(`The tests need ${names.join(', ')}: run "sudo apt-get install -y ${names.join(' ')}" and try again.`);
  }
  process.stdout.write(`Installing ${names.join(', ')} with apt-get for the tests…\n`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-q'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...names], { stdio: 'inherit', env });
  const still = missing.filter((pkg) => !onPath(pkg.binary));
  if (still.length) throw new Error(`apt-get did not provide ${still.map((pkg) => pkg.binary).join(', ')}.`);
}
