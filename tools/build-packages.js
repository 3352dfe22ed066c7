'use strict';
// `npm run build:packages`: compiles each package of libs/ with plain tsc (JavaScript, .d.ts and source
// maps in libs/<name>/dist) in dependency order, then packs one installable tarball per package into
// dist/packages/. Each package's tsconfig.build.json maps its sibling packages to their built .d.ts, so the
// emitted code keeps importing them by name (`require('@nest-realtime/protocol')`), as an install needs.
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const OUT = path.join(ROOT, 'dist/packages');
const PACKAGES = ['protocol', 'core', 'redis', 'pusher', 'client'];
const TSC = require.resolve('typescript/bin/tsc');

fs.rmSync(OUT, { recursive: true, force: true });
fs.mkdirSync(OUT, { recursive: true });

for (const name of PACKAGES) {
  const dir = path.join(ROOT, 'libs', name);
  fs.rmSync(path.join(dir, 'dist'), { recursive: true, force: true });
  execFileSync(process.execPath, [TSC, '-p', path.join(dir, 'tsconfig.build.json')], { stdio: 'inherit' });
  fs.copyFileSync(path.join(ROOT, 'LICENSE'), path.join(dir, 'LICENSE'));
  try {
    const [packed] = JSON.parse(
      execFileSync('npm', ['pack', '--json', '--pack-destination', OUT], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }),
    );
    process.stdout.write(`${packed.filename}  ${packed.entryCount} files, ${(packed.size / 1024).toFixed(1)} KiB\n`);
  } finally {
    fs.rmSync(path.join(dir, 'LICENSE'), { force: true });
  }
}
