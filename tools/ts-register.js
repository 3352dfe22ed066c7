'use strict';
// The repository's one TypeScript loader for plain `node` processes: `node -r ./tools/ts-register.js x.ts`.
// Used by the benchmark (`npm run bench`, `npm run bench:micro`, and its server processes through
// bench/support/server-process.ts's TS_REGISTER) and by the multi-node tests' cluster nodes
// (test/support/cluster/cluster-node.ts).
//
// Each .ts file is transpiled with TypeScript's own transpileModule and tsconfig.json's compiler options,
// as ts-jest does (decorator metadata included, which Nest's injection needs and esbuild does not emit);
// no type check (`tsc` and the suites' own compile do that). tsconfig.json's `paths` (`@nest-realtime/core`,
// `@nest-realtime/client`, and their `/*`) resolve to the libraries' sources. Transpiled files are cached by
// content under node_modules/.cache/realtime-ts, so a second process starts in a fraction of the first
// one's time.
const crypto = require('crypto');
const fs = require('fs');
const Module = require('module');
const path = require('path');
const ts = require('typescript');

const ROOT = path.resolve(__dirname, '..');
const CACHE = path.join(ROOT, 'node_modules/.cache/realtime-ts');

const { config, error } = ts.readConfigFile(path.join(ROOT, 'tsconfig.json'), ts.sys.readFile);
if (error) throw new Error(`ts-register: ${ts.flattenDiagnosticMessageText(error.messageText, '\n')}`);
const { options: COMPILER_OPTIONS } = ts.convertCompilerOptionsFromJson(config.compilerOptions, ROOT);
Object.assign(COMPILER_OPTIONS, {
  module: ts.ModuleKind.CommonJS,
  sourceMap: false,
  inlineSourceMap: true,
  inlineSources: false,
  declaration: false,
});
const SALT = `${ts.version}:${JSON.stringify(COMPILER_OPTIONS)}`;

// From tsconfig.json's paths: `@app/x` matches itself only, `@app/x/*` anything under it.
const ALIASES = Object.entries(config.compilerOptions.paths ?? {}).map(([pattern, [target]]) => {
  const prefix = pattern.endsWith('/*');
  const strip = (text) => (prefix ? text.slice(0, -2) : text);
  return { prefix, alias: strip(pattern), target: path.resolve(ROOT, config.compilerOptions.baseUrl ?? '.', strip(target)) };
});

fs.mkdirSync(CACHE, { recursive: true });

function transpile(filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const key = crypto.createHash('sha1').update(SALT).update('\0').update(filename).update('\0').update(source).digest('hex');
  const cached = path.join(CACHE, `${key}.js`);
  try {
    return fs.readFileSync(cached, 'utf8');
  } catch {
    const { outputText } = ts.transpileModule(source, { compilerOptions: COMPILER_OPTIONS, fileName: filename });
    // Written aside and renamed, so that processes starting together never read half a file.
    const partial = `${cached}.${process.pid}`;
    fs.writeFileSync(partial, outputText);
    fs.renameSync(partial, cached);
    return outputText;
  }
}

require.extensions['.ts'] = (module, filename) => module._compile(transpile(filename), filename);

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  for (const { prefix, alias, target } of ALIASES) {
    if (prefix ? request.startsWith(`${alias}/`) : request === alias) {
      return resolveFilename.call(this, target + request.slice(alias.length), ...rest);
    }
  }
  return resolveFilename.call(this, request, ...rest);
};
