'use strict';
// Lets Node run the bench's TypeScript, and the library's, without a build step: each .ts file is
// transpiled once (decorator metadata included, which Nest's injection needs and esbuild does not
// emit) and cached by content under node_modules/.cache/realtime-bench; `@app/realtime` and
// `@app/realtime-client` resolve to their sources, as tsconfig.json's paths say.
const crypto = require('crypto');
const fs = require('fs');
const Module = require('module');
const path = require('path');
const ts = require('typescript');

const ROOT = path.resolve(__dirname, '../..');
const CACHE = path.join(ROOT, 'node_modules/.cache/realtime-bench');
const ALIASES = [
  ['@app/realtime-client', path.join(ROOT, 'libs/realtime-client/src')],
  ['@app/realtime', path.join(ROOT, 'libs/realtime/src')],
];
const COMPILER_OPTIONS = {
  module: ts.ModuleKind.CommonJS,
  target: ts.ScriptTarget.ES2022,
  experimentalDecorators: true,
  emitDecoratorMetadata: true,
  esModuleInterop: true,
  useDefineForClassFields: false,
  sourceMap: false,
  inlineSourceMap: true,
};
const SALT = `${ts.version}:${JSON.stringify(COMPILER_OPTIONS)}`;

fs.mkdirSync(CACHE, { recursive: true });

function transpile(filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const key = crypto.createHash('sha1').update(SALT).update(filename).update(source).digest('hex');
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
  for (const [alias, target] of ALIASES) {
    if (request === alias || request.startsWith(`${alias}/`)) {
      return resolveFilename.call(this, target + request.slice(alias.length), ...rest);
    }
  }
  return resolveFilename.call(this, request, ...rest);
};
