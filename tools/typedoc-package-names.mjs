// A TypeDoc plugin for `npm run docs` (typedoc.json): names each module of the API reference after the
// import path users write (`@nest-realtime/core/engine`) instead of its file's path (`core/src/engine`).
// The name comes from the `exports` of the package.json above the entry file: an export whose `types` is
// `./dist/<x>.d.ts` is built from `src/<x>.ts` (every package's tsconfig.build.json: rootDir src, outDir dist).
import fs from 'node:fs';
import path from 'node:path';
import { Converter, ReflectionKind } from 'typedoc';

function packageOf(file) {
  for (let dir = path.dirname(file); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest)) return { dir, json: JSON.parse(fs.readFileSync(manifest, 'utf8')) };
  }
  return undefined;
}

/** The import path of an entry file, or undefined when no export of its package is built from it. */
export function importPathOf(file) {
  const pkg = packageOf(file);
  if (!pkg?.json.name || typeof pkg.json.exports !== 'object') return undefined;
  for (const [subpath, target] of Object.entries(pkg.json.exports)) {
    const types = typeof target === 'object' && target !== null ? target.types : undefined;
    if (typeof types !== 'string' || !types.startsWith('./dist/')) continue;
    const source = path.join(pkg.dir, 'src', types.slice('./dist/'.length).replace(/\.d\.ts$/, '.ts'));
    if (path.resolve(source) === path.resolve(file)) return pkg.json.name + subpath.slice(1);
  }
  return undefined;
}

export function load(app) {
  app.converter.on(Converter.EVENT_CREATE_DECLARATION, (context, reflection) => {
    if (!reflection.kindOf(ReflectionKind.Module) || reflection.parent !== context.project) return;
    const file = context.getSymbolFromReflection(reflection)?.declarations?.[0]?.getSourceFile().fileName;
    const name = file && importPathOf(file);
    if (name) reflection.name = name;
    else app.logger.warn(`typedoc-package-names: ${file ?? reflection.name} is no entry of a package's exports; named "${reflection.name}".`);
  });
}
