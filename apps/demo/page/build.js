'use strict';
// Bundles the demo's pages (apps/demo/page) with esbuild into a directory the demo serves:
//   node apps/demo/page/build.js [--outdir DIR]     (default: dist/apps/demo/page)
// app.js is the chat page's (/), pusher-page.js the Pusher page's (/pusher: pusher-js's browser build,
// which esbuild takes from the package's `browser` field). The bundles are for browsers: they must not
// contain the `ws` package (`@nest-realtime/client` uses the browser's WebSocket; only
// `@nest-realtime/client/node` brings in `ws`).
const fs = require('fs');
const path = require('path');
const esbuild = require('esbuild');

const PAGE_DIR = __dirname;
const DEFAULT_OUTDIR = path.resolve(PAGE_DIR, '../../../dist/apps/demo/page');
const STATIC_FILES = ['index.html', 'pusher.html', 'app.css'];

/** Builds app.js and pusher-page.js (+ maps) and copies the static files; resolves to esbuild's metafile. */
async function buildPage(outdir = DEFAULT_OUTDIR) {
  fs.mkdirSync(outdir, { recursive: true });
  const result = await esbuild.build({
    entryPoints: { app: path.join(PAGE_DIR, 'main.ts'), 'pusher-page': path.join(PAGE_DIR, 'pusher-page.ts') },
    outdir,
    tsconfig: path.join(PAGE_DIR, 'tsconfig.json'),
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: ['es2020'],
    sourcemap: true,
    metafile: true,
    logLevel: 'warning',
  });
  for (const file of STATIC_FILES) fs.copyFileSync(path.join(PAGE_DIR, file), path.join(outdir, file));
  fs.writeFileSync(path.join(outdir, 'meta.json'), JSON.stringify(result.metafile));
  return result.metafile;
}

module.exports = { buildPage, DEFAULT_OUTDIR };

if (require.main === module) {
  const flag = process.argv.indexOf('--outdir');
  const outdir = flag === -1 ? DEFAULT_OUTDIR : path.resolve(process.argv[flag + 1] ?? '');
  buildPage(outdir).then(
    () => console.log(`Demo page built in ${path.relative(process.cwd(), outdir) || '.'}`),
    (error) => {
      console.error(`The demo page did not build: ${error.message}`);
      process.exit(1);
    },
  );
}
