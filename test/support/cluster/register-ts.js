// Lets a plain `node` child process run the repository's TypeScript as jest does (ts-jest): each .ts
// file is transpiled with TypeScript's own transpileModule and the repository's compiler options
// (decorator metadata included, which Nest's injection needs), and the @app/* paths map to libs/.
// No type check (the suites' own compile and `tsc` do that). Transpiled files are cached by content in
// the OS temp directory, so the second node of a test starts in a fraction of the first one's time.
// Use: node -r ./test/support/cluster/register-ts.js some-entry.ts
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const Module = require('module');
const os = require('os');
const path = require('path');
const ts = require('typescript');

const root = path.resolve(__dirname, '../../..');
const { config } = ts.readConfigFile(path.join(root, 'tsconfig.json'), ts.sys.readFile);
const { options } = ts.convertCompilerOptionsFromJson(config.compilerOptions, root);
Object.assign(options, { module: ts.ModuleKind.CommonJS, sourceMap: false, inlineSourceMap: true, inlineSources: false, declaration: false });
const cacheDir = path.join(os.tmpdir(), `realtime-ts-${ts.version}`);
fs.mkdirSync(cacheDir, { recursive: true });

const aliases = [
  ['@app/realtime-client', path.join(root, 'libs/realtime-client/src')],
  ['@app/realtime', path.join(root, 'libs/realtime/src')],
];
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  for (const [alias, target] of aliases) {
    if (request === alias || request.startsWith(`${alias}/`)) return resolveFilename.call(this, target + request.slice(alias.length), ...rest);
  }
  return resolveFilename.call(this, request, ...rest);
};

require.extensions['.ts'] = function (module, filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const key = crypto.createHash('sha1').update(filename).update('\0').update(source).digest('hex');
  const cached = path.join(cacheDir, `${key}.js`);
  let output;
  try {
    output = fs.readFileSync(cached, 'utf8');
  } catch {
    output = ts.transpileModule(source, { compilerOptions: options, fileName: filename }).outputText;
    const temporary = `${cached}.${process.pid}`;
    fs.writeFileSync(temporary, output);
    fs.renameSync(temporary, cached);
  }
  module._compile(output, filename);
};
